/** The range of days shown: a length (up to 100 days, SPEC §5) ending on any date. */
import { formatDay, parseDay } from '../../../src/domain/time.js';

export const RANGE_LENGTHS = [7, 14, 30, 60, 90, 100] as const;

export const shiftDay = (day: string, by: number): string => formatDay(parseDay(day)! + by);

export function RangeControl({
  end,
  days,
  onChange,
}: {
  end: string;
  days: number;
  onChange: (range: { end: string; days: number }) => void;
}) {
  return (
    <div class="range" role="group" aria-label="Range of days">
      <button
        type="button"
        aria-label={`Previous ${days} days`}
        onClick={() => onChange({ end: shiftDay(end, -days), days })}
      >
        ◀
      </button>
      <select
        aria-label="Days shown"
        value={String(days)}
        onChange={(e) =>
          onChange({ end, days: Number((e.currentTarget as HTMLSelectElement).value) })
        }
      >
        {RANGE_LENGTHS.map((n) => (
          <option value={String(n)} key={n}>
            {n} days
          </option>
        ))}
      </select>
      <label>
        ending{' '}
        <input
          type="date"
          value={end}
          required
          onChange={(e) => {
            const value = (e.currentTarget as HTMLInputElement).value;
            if (parseDay(value) !== undefined) onChange({ end: value, days });
          }}
        />
      </label>
      <button
        type="button"
        aria-label={`Next ${days} days`}
        onClick={() => onChange({ end: shiftDay(end, days), days })}
      >
        ▶
      </button>
    </div>
  );
}
