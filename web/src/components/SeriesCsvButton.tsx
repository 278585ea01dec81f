/**
 * Downloads a series answer as CSV (`format=csv`, the API's own field names). A failed request
 * is handled as every other: a refused key signs the user out.
 */
import { apiText } from '../api.js';
import { download } from '../csv.js';
import { noteFailure } from '../load.js';

export function SeriesCsvButton({
  path,
  params,
  fileName,
  label,
}: {
  path: '/campaigns/data_series' | '/sends/data_series';
  params: Readonly<Record<string, string | number | undefined>>;
  fileName: string;
  label: string;
}) {
  const save = async () => {
    try {
      download(fileName, await apiText(path, { ...params, format: 'csv' }));
    } catch (error) {
      noteFailure(error);
    }
  };
  return (
    <button type="button" onClick={save}>
      {label}
    </button>
  );
}
