/**
 * The panel that answers "why is this number what it is": the rule of the figure and the
 * events, users or credits behind it, day by day, a page at a time, with a CSV of the whole
 * list. A rate or a comparison lists each figure it is computed from, one tab each.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { download } from '../csv.js';
import {
  daysWith,
  explanationCsv,
  fetchExplanation,
  itemDetail,
  PAGE_SIZE,
  type ExplainItem,
  type ExplainRequest,
} from '../explain.js';
import { formatFigure } from '../format.js';
import { noteFailure } from '../load.js';
import { FailureMessage } from './Message.js';

interface Listed {
  readonly day: string;
  readonly item: ExplainItem;
}

/** Where the next page comes from: a day of `days` and its page; null when all are listed. */
type Cursor = { readonly dayIndex: number; readonly page: number } | null;

interface ListState {
  readonly listed: readonly Listed[];
  readonly cursor: Cursor;
  readonly rule: string | null;
  readonly loading: boolean;
  readonly error: unknown;
}

const START: ListState = {
  listed: [],
  cursor: { dayIndex: 0, page: 0 },
  rule: null,
  loading: false,
  error: null,
};

export function ExplainPanel({
  request,
  onClose,
}: {
  request: ExplainRequest;
  onClose: () => void;
}) {
  const [tab, setTab] = useState(0);
  const figure = request.figures[Math.min(tab, request.figures.length - 1)]!;
  const days = useMemo(() => daysWith(request.days, figure), [request, figure]);
  const [list, setList] = useState<ListState>(START);
  const generation = useRef(0);
  const host = useRef<HTMLDivElement>(null);

  /** Lists a page more (or a little more), day after day, from where `state` stopped. */
  const loadPage = async (state: ListState): Promise<void> => {
    if (state.cursor === null) return;
    const run = generation.current;
    setList({ ...state, loading: true, error: null });
    let cursor: Cursor = state.cursor;
    let rule = state.rule;
    const added: Listed[] = [];
    try {
      for (let at: Cursor = cursor; at !== null && added.length < PAGE_SIZE; at = cursor) {
        // With nothing to list, the range's last day still says the rule (and a value of 0).
        const day = days[at.dayIndex]?.day ?? request.days[request.days.length - 1]!.time;
        // Pages of one size, so a day's page numbers stay valid (a click may list a bit more).
        const answer = await fetchExplanation(request.scope, figure, day, at.page);
        if (run !== generation.current) return;
        added.push(...answer.items.map((item) => ({ day, item })));
        rule = answer.rule;
        cursor =
          answer.next_page !== null
            ? { dayIndex: at.dayIndex, page: answer.next_page }
            : at.dayIndex + 1 < days.length
              ? { dayIndex: at.dayIndex + 1, page: 0 }
              : null;
      }
      setList({ listed: [...state.listed, ...added], cursor, rule, loading: false, error: null });
    } catch (error) {
      noteFailure(error);
      if (run === generation.current) setList({ ...state, loading: false, error });
    }
  };

  useEffect(() => {
    generation.current += 1;
    void loadPage(START);
  }, [request, figure]);

  useEffect(() => {
    host.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [request]);

  const total = days.reduce((sum, day) => sum + day.value, 0);
  const isRevenue = figure.metric.endsWith('revenue');
  const saveCsv = async () => {
    try {
      const csv = await explanationCsv(request.scope, figure, request.days);
      download(`${request.scope.campaignId}_${figure.metric}_explained.csv`, csv);
    } catch (error) {
      noteFailure(error);
      setList((state) => ({ ...state, error }));
    }
  };

  return (
    <div class="explain" role="dialog" aria-labelledby="explain-title" tabIndex={-1} ref={host}>
      <div class="section-head">
        <h2 id="explain-title">What made {request.title}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {request.formula && <p class="formula">{request.formula}</p>}
      {request.figures.length > 1 && (
        <div class="tabs" role="tablist" aria-label="Figures it is computed from">
          {request.figures.map((f, index) => (
            <button
              type="button"
              role="tab"
              aria-selected={index === tab}
              key={f.label}
              onClick={() => setTab(index)}
            >
              {f.label}
            </button>
          ))}
        </div>
      )}
      <p class="explain-total">
        <strong>{figure.label}</strong>: {formatFigure(isRevenue ? 'revenue' : '', total)} over{' '}
        {request.days.length === 1 ? request.days[0]!.time : `${request.days.length} days`}
        {days.length > 1 && ` (${days.length} days with any)`}
      </p>
      {list.rule && <p class="rule">{list.rule}</p>}
      {list.error !== null && (
        <FailureMessage error={list.error} retry={() => void loadPage(list)} />
      )}
      {list.listed.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label="What made it">
          <table class="items">
            <thead>
              <tr>
                <th scope="col">day</th>
                <th scope="col">time (UTC)</th>
                <th scope="col">event</th>
                <th scope="col">user</th>
                <th scope="col">id</th>
                <th scope="col">detail</th>
              </tr>
            </thead>
            <tbody>
              {list.listed.map(({ day, item }, index) => (
                <tr key={index}>
                  <td>{day}</td>
                  <td>{item.time.slice(11, 19)}</td>
                  <td>{item.event_type?.replace(/^users\./, '') ?? ''}</td>
                  <td>{item.user}</td>
                  <td>{item.id ?? ''}</td>
                  <td>{itemDetail(item)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="explain-foot">
        <span class="muted" role="status">
          {list.loading
            ? 'Loading…'
            : days.length === 0
              ? 'Nothing counted on these days.'
              : isRevenue
                ? `Showing ${list.listed.length} purchases${list.cursor ? ' so far' : ''}.`
                : `Showing ${list.listed.length} of ${total}.`}
        </span>
        {list.cursor && days.length > 0 && !list.loading && (
          <button type="button" onClick={() => void loadPage(list)}>
            Show more
          </button>
        )}
        {days.length > 0 && (
          <button type="button" onClick={() => void saveCsv()}>
            Download list (CSV)
          </button>
        )}
      </div>
    </div>
  );
}
