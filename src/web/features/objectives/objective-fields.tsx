/** Fields an objective's create and edit dialogs share. */
import { Select, Switch } from "@mantine/core";
import { LEVELS, type Level } from "../../../domain/types.js";
import { t } from "../../lib/i18n.js";

/** The objective's level: organisation, team or individual. */
export function LevelSelect({
  value,
  onChange,
  allowOrganization = true,
}: {
  value: Level;
  onChange: (level: Level) => void;
  /** Whether the person may create organisation-level objectives (owners and admins): else offered disabled, with why. */
  allowOrganization?: boolean;
}) {
  return (
    <Select
      label={t("common.level")}
      data={LEVELS.map((l) =>
        l === "organization" && !allowOrganization
          ? { value: l, label: `${t(`level.${l}`)} (${t("create.adminsOnly")})`, disabled: true }
          : { value: l, label: t(`level.${l}`) },
      )}
      value={value}
      onChange={(v) => v && onChange(v as Level)}
      allowDeselect={false}
    />
  );
}

/** The committed and private switches (the caller lays them out). */
export function ObjectiveFlags({
  committed,
  onCommittedChange,
  isPrivate,
  onPrivateChange,
}: {
  committed: boolean;
  onCommittedChange: (committed: boolean) => void;
  isPrivate: boolean;
  onPrivateChange: (isPrivate: boolean) => void;
}) {
  return (
    <>
      <Switch
        label={t("objective.committed")}
        checked={committed}
        onChange={(e) => onCommittedChange(e.currentTarget.checked)}
      />
      <Switch
        label={t("objective.private")}
        description={t("objective.privateHelp")}
        checked={isPrivate}
        onChange={(e) => onPrivateChange(e.currentTarget.checked)}
      />
    </>
  );
}
