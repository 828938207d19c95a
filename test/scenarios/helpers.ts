/** Small scenario documents for the tests. */
export const CNI_BRIDGE = `
  cni:
    conflist:
      cniVersion: 1.0.0
      name: podnet
      plugins:
        - type: bridge
          bridge: cni0
          isGateway: true
          ipam: { type: host-local, subnet: "{{podCIDR}}", routes: [{ dst: 0.0.0.0/0 }] }
`;

/** One node, two pods (frontend 10.244.1.2, backend 10.244.1.3 listening on TCP 8080), then `steps`. */
export function oneNode(steps: string): string {
  return `apiVersion: podnet.dev/v1alpha1
kind: Scenario
metadata:
  name: t
spec:${CNI_BRIDGE}
  nodes:
    - name: node-a
      podCIDR: 10.244.1.0/24
  pods:
    - name: frontend
      node: node-a
      containers: [{ name: web }]
    - name: backend
      node: node-a
      containers:
        - name: api
          ports: [{ containerPort: 8080 }]
        - name: side
  steps:
${steps}`;
}
