// Start-up marks for the start-up benchmark: when each step of opening on the map happened, in ms
// of the page's clock (performance.now()). Sent with `first_map_frame`; the shell prints them.
export const marks: Record<string, number> = { script: performance.now() };

export function mark(name: string): void {
  if (!(name in marks)) marks[name] = performance.now();
}
