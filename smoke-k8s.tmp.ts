import { xyzCluster, withPolicies, matrix } from './test/policy/helpers.ts';
import { formatMatrix } from './src/policy/matrix.ts';
let t = Date.now();
const c = xyzCluster();
console.log('build', Date.now() - t); t = Date.now();
const c2 = withPolicies(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-ingress, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
`, c);
console.log('apply', Date.now() - t); t = Date.now();
const m = matrix(c2);
console.log('matrix', Date.now() - t);
console.log(formatMatrix(m));
