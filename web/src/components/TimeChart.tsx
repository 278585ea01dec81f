/** The line whose value on day `index` is nearest the pointer's height. */
function nearestLine(u: uPlot, index: number): number | null {
  const pointer = u.posToVal(u.cursor.top ?? 0, 'y');
  let best: number | null = null;
  for (let line = 1; line < u.data.length; line++) {
    const value = u.data[line]![index];
    if (value == null) continue;
    const bestValue = best === null ? null : u.data[best + 1]![index]!;
    if (bestValue == null || Math.abs(value - pointer) < Math.abs(bestValue - pointer)) {
      best = line - 1;
    }
  }
  return best;
}

/**
 * A daily time series, one line per variation (control dashed), drawn by uPlot with its
 * hover legend. New data of the same lines is set in place (no redraw of the frame), so
 * switching metric or range is one repaint. Each paint marks `tally:chart` for the benchmark.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCount } from '../format.js';

export interface ChartLine {
  readonly label: string;
  readonly control: boolean;
  /** The entry's variation; null for a day-level figure. */
  readonly variationId: string | null;
  /** One value per day; null where the entry has no such figure. */
  readonly values: readonly (number | null)[];
}

export interface TimeChartProps {
  /** `YYYY-MM-DD`, oldest first. */
  readonly days: readonly string[];
  readonly lines: readonly ChartLine[];
  readonly format?: (value: number) => string;
  readonly label: string;
  /** A click on the plot: the line nearest the pointer and the day under it. */
  readonly onPick?: (line: number, day: number) => void;
}

export const PALETTE = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2'];
const CONTROL_COLOR = '#6b7280';
const HEIGHT = 260;

const secondsOf = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;
const utc = (seconds: number): Date => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

function optionsOf(props: TimeChartProps, width: number): uPlot.Options {
  const format = props.format ?? formatCount;
  return {
    width,
    height: HEIGHT,
    tzDate: utc,
    cursor: { drag: { x: false, y: false } },
    scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [{}, { values: (_u, ticks) => ticks.map(format), size: 70 }],
    series: [
      {
        label: 'day',
        value: (_u, seconds) =>
          seconds == null ? '' : uPlot.fmtDate('{YYYY}-{MM}-{DD}')(utc(seconds)),
      },
      ...props.lines.map((line, index) => ({
        label: line.label,
        stroke: line.control ? CONTROL_COLOR : PALETTE[index % PALETTE.length],
        dash: line.control ? [6, 4] : [],
        width: 2,
        points: { size: 5 },
        value: (_u: uPlot, value: number | null) => (value == null ? '–' : format(value)),
      })),
    ],
    hooks: { draw: [() => performance.mark('tally:chart')] },
  };
}

const dataOf = (props: TimeChartProps): uPlot.AlignedData => [
  props.days.map(secondsOf),
  ...props.lines.map((line) => [...line.values]),
];

export function TimeChart(props: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const shape = props.lines.map((line) => line.label).join('\u0000');
  // The click handler outlives renders: it reads the latest onPick from here.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const target = host.current!;
    const u = new uPlot(optionsOf(props, target.clientWidth), dataOf(props), target);
    chart.current = u;
    u.over.addEventListener('click', () => {
      const day = u.cursor.idx;
      const line = day == null ? null : nearestLine(u, day);
      if (day != null && line !== null) latest.current.onPick?.(line, day);
    });
    const resize = new ResizeObserver(() =>
      chart.current?.setSize({ width: target.clientWidth, height: HEIGHT }),
    );
    resize.observe(target);
    return () => {
      resize.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
    // A new set of lines (or a new format) needs a new chart; new values do not.
  }, [shape, props.format]);

  useEffect(() => {
    chart.current?.setData(dataOf(props));
  }, [props.days, props.lines]);

  return <div class="chart" role="img" aria-label={props.label} ref={host} />;
}
