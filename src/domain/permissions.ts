/** API permissions (SPEC §6): the endpoint path with dots, plus the product's own. */
export const PERMISSIONS = [
  'campaigns.data_series',
  'sends.data_series',
  'campaigns.list',
  'campaigns.details',
  'sends.id.create',
  'users.track',
  'events.write',
  'campaigns.write',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
