/** Indices of equal group ids, in first-seen order. */
export function groupIndices(groupIds: readonly (string | number)[]): number[][] {
  const groups = new Map<string | number, number[]>();
  groupIds.forEach((g, i) => {
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });
  return [...groups.values()];
}
