import { cn } from "@/lib/utils";

/** A tiny trend line (decorative: the KPI card says the numbers in words). */
export function Sparkline({
  values,
  color = "rgb(var(--chart-1))",
  className,
  width = 120,
  height = 32,
}: {
  values: (number | null)[];
  color?: string;
  className?: string;
  width?: number;
  height?: number;
}) {
  const points = values.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
  const numbers = points.filter((v): v is number => v !== null);
  if (numbers.length < 2) return <div aria-hidden="true" className={cn("h-8", className)} />;
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  const span = max - min || 1;
  const step = width / (points.length - 1);
  const pad = 2;
  let d = "";
  let pen = false;
  points.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const x = i * step;
    const y = pad + (height - 2 * pad) * (1 - (v - min) / span);
    d += `${pen ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  const area = `${d}L${((points.length - 1) * step).toFixed(1)},${height}L0,${height}Z`;
  return (
    <svg
      aria-hidden="true"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      className={cn("h-8 w-full overflow-visible", className)}
      data-testid="sparkline"
    >
      {numbers.length === points.length ? <path d={area} fill={color} opacity={0.08} /> : null}
      <path d={d} fill="none" stroke={color} strokeWidth={1.75} vectorEffect="non-scaling-stroke" strokeLinejoin="round" />
    </svg>
  );
}
