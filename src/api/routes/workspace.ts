/**
 * `GET /workspace`: the key's workspace (name, reporting time zone) and the key's permissions.
 * The product's own endpoint, for the dashboard: no Braze endpoint tells a client which
 * workspace its key reads or in which zone the series' days are, and the dashboard uses the
 * permissions to say what a key cannot show instead of failing request by request.
 */
import { Type } from '@sinclair/typebox';
import { PERMISSIONS } from '../../domain/permissions.js';
import { workspaceOf, type RouteDeps, type TallyInstance } from '../context.js';
import { ERROR_RESPONSES, StringEnum } from '../schemas.js';

const WorkspaceAnswerSchema = Type.Object({
  message: Type.Literal('success'),
  workspace: Type.Object({
    name: Type.String(),
    time_zone: Type.String({ description: 'The IANA zone whose calendar days the series count' }),
  }),
  key: Type.Object({
    permissions: Type.Array(StringEnum(PERMISSIONS)),
  }),
});

export async function workspaceRoutes(app: TallyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    '/workspace',
    {
      config: { anyKey: true },
      schema: {
        summary: "The key's workspace and permissions",
        response: { 200: WorkspaceAnswerSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const workspace = await deps.store.getWorkspace(workspaceOf(request));
      if (!workspace) throw new Error('the key names a workspace that does not exist');
      return {
        message: 'success' as const,
        workspace: { name: workspace.name, time_zone: workspace.timezone },
        key: { permissions: [...request.grant!.permissions] },
      };
    },
  );
}
