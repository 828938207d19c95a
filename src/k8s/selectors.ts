/**
 * Label selectors (k8s.io/apimachinery labels.Selector from a
 * metav1.LabelSelector): every matchLabels pair and every requirement must
 * hold; an empty selector selects everything.
 *
 * Requirement semantics (labels.Requirement.Matches):
 *   In            the label exists and its value is one of values
 *   NotIn         the label is absent, or its value is none of values
 *   Exists        the label exists
 *   DoesNotExist  the label is absent
 */
import type { Labels, LabelSelector } from './types.js';

export const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

export function matches(sel: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false;
  for (const r of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels).length === 0 && sel.matchExpressions.length === 0;
}

/** The selector as kubectl prints it (`app=web,tier in (a,b),!legacy`); "" selects everything. */
export function selectorText(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  for (const r of sel.matchExpressions) {
    if (r.operator === 'In') parts.push(`${r.key} in (${[...r.values].sort().join(',')})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${[...r.values].sort().join(',')})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.join(',');
}
