/** Cuts text to `limit` characters, keeping head and tail, with a visible marker saying how much was cut. */
export function truncateMiddle(text: string, limit: number): string {
  if (limit <= 0 || text.length <= limit) return text;
  const marker = `\n…[truncated ${text.length - limit} chars]…\n`;
  const keep = Math.max(0, limit - marker.length);
  const head = Math.ceil(keep / 2);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}
