import { Avatar, Text, Tooltip } from "@mantine/core";
import { t } from "../lib/i18n.js";
import { useUsersById } from "../lib/queries.js";

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0])
    .slice(0, 2)
    .join("")
    .toUpperCase();

/** How many avatars a group shows before "+n". */
const AVATARS = 8;

/** Owners as avatars with their names for screen readers and on hover (each person fetched by id, cached). */
export function OwnerNames({ ids }: { ids: string[] }) {
  const shown = ids.slice(0, AVATARS);
  const byId = useUsersById(shown);
  if (!ids.length) {
    return (
      <Text size="xs" c="orange.7">
        {t("common.noOwner")}
      </Text>
    );
  }
  return (
    // A small overlap: each avatar's initials stay whole (at "xs" the next one covered a letter).
    <Avatar.Group spacing={4}>
      {shown.map((id) => {
        const name = byId.get(id)?.name ?? "…";
        return (
          <Tooltip key={id} label={name}>
            <Avatar size="sm" radius="xl" color="teal" role="img" aria-label={name}>
              {initials(name)}
            </Avatar>
          </Tooltip>
        );
      })}
      {ids.length > AVATARS && (
        <Avatar size="sm" radius="xl" role="img" aria-label={t("common.andMore", { count: ids.length - AVATARS })}>
          +{ids.length - AVATARS}
        </Avatar>
      )}
    </Avatar.Group>
  );
}

/** Owners' names as text, each fetched by id (cached). */
export function OwnerText({ ids }: { ids: string[] }) {
  const byId = useUsersById(ids);
  return <>{ids.map((id) => byId.get(id)?.name ?? "…").join(", ") || t("common.noOwner")}</>;
}
