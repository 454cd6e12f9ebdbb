/** Admin pages show their content to organisation owners and admins only. */
import { Alert, Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { QueryState } from "../../components/query-state.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-admin.js";
import { mayAdminister } from "../../lib/permissions.js";
import { useMe } from "../../lib/queries.js";

/** Shows `children` to owners and admins, a short explanation to everyone else. */
export function AdminsOnly({ title, children }: { title: string; children: ReactNode }) {
  const me = useMe();
  return (
    <QueryState query={me}>
      {(m) =>
        mayAdminister(m) ? (
          children
        ) : (
          <Stack>
            <Title order={2}>{title}</Title>
            <Alert color="gray" title={t("admin.onlyAdminsTitle")}>
              {t("admin.onlyAdmins")}
            </Alert>
          </Stack>
        )
      }
    </QueryState>
  );
}
