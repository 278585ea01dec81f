/** Sends per day as a small line (uPlot without axes, legend or cursor). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

const WIDTH = 160;
const HEIGHT = 28;

export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = new uPlot(
      {
        width: WIDTH,
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        padding: [2, 0, 2, 0],
        axes: [{ show: false }, { show: false }],
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        series: [
          {},
          {
            stroke: '#2563eb',
            width: 1.5,
            fill: 'rgba(37, 99, 235, 0.12)',
            points: { show: false },
          },
        ],
      },
      [values.map((_value, index) => index), [...values]],
      host.current!,
    );
    return () => chart.destroy();
  }, [values]);
  return <div class="sparkline" role="img" aria-label={label} ref={host} />;
}
