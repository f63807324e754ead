/** Tremor-like chart props: rows (a query's rows), an index key and the categories to draw. */
export type ChartRow = Record<string, string | number | null>;

export interface ChartProps {
  rows: ChartRow[];
  /** key of the x axis (time bucket or a dimension) */
  index: string;
  /** keys of the series (measures, or pivoted dimension values) */
  categories: string[];
  /** display names of categories (defaults to the key) */
  labels?: Record<string, string>;
  /** series colours, by category (defaults to the config's palette by position) */
  colors?: Record<string, string>;
  valueFormatter?: (value: number | null, category: string) => string;
  axisFormatter?: (value: number) => string;
  indexFormatter?: (value: string | number | null, options?: { short?: boolean }) => string;
  /** the chart's accessible name */
  ariaLabel: string;
  height?: number;
  className?: string;
}
