import { Avatar, Text, Tooltip } from "@mantine/core";
import { t } from "../lib/i18n.js";
import { useUsers } from "../lib/queries.js";

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0])
    .slice(0, 2)
    .join("")
    .toUpperCase();

/** Owners as avatars with their names for screen readers and on hover. */
export function OwnerNames({ ids }: { ids: string[] }) {
  const users = useUsers();
  const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u]));
  if (!ids.length) {
    return (
      <Text size="xs" c="orange.7">
        {t("common.noOwner")}
      </Text>
    );
  }
  return (
    <Avatar.Group spacing="xs">
      {ids.map((id) => {
        const name = byId.get(id)?.name ?? "…";
        return (
          <Tooltip key={id} label={name}>
            <Avatar size="sm" radius="xl" color="teal" role="img" aria-label={name}>
              {initials(name)}
            </Avatar>
          </Tooltip>
        );
      })}
    </Avatar.Group>
  );
}

export function OwnerText({ ids }: { ids: string[] }) {
  const users = useUsers();
  const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));
  return <>{ids.map((id) => byId.get(id) ?? "…").join(", ") || t("common.noOwner")}</>;
}
