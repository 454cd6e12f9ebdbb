/**
 * What a person sees for an address that leads nowhere, or an item that does not exist (or that
 * they may not see): a plain page with a way back, never a bare error.
 */
import { Stack, Text, Title } from "@mantine/core";
import { t } from "../lib/i18n.js";
import { AppLink } from "./app-link.js";

export function NotFound({ what }: { what?: string | undefined }) {
  return (
    // Inside the app's frame for a missing item; on its own, with room around it, for an unknown address.
    <Stack align="flex-start" py="xl" px={what ? 0 : "xl"} gap="sm">
      <Title order={2}>{what ? t("notFound.itemTitle") : t("notFound.title")}</Title>
      <Text c="dimmed">{what ? t("notFound.itemText") : t("notFound.text")}</Text>
      <AppLink to="/">{t("notFound.back")}</AppLink>
    </Stack>
  );
}
