/** Strings of the import and export page (#13), merged into the main bundle. */
import i18next from "i18next";
import "./i18n.js";

const importStrings = {
  pageTitle: "Import and export",
  intro:
    "Bring OKRs in from a spreadsheet — Okra's template, or Viva Goals' import template and explorer export — and take them out again. Rows are matched by their reference, so importing the same file again updates instead of duplicating.",
  fileTitle: "Import OKRs",
  templateXlsx: "Template (Excel)",
  templateCsv: "Template (CSV)",
  fileLabel: "Spreadsheet",
  clearFile: "Remove the file",
  fileHelp: "A .xlsx or .csv file, one row per objective, key result, project or check-in",
  createMissing: "Create the people (by email), teams and periods the file names that Okra does not have",
  check: "Check the file",
  importRows: "Import {{rows}} rows",
  progress: "Import progress",
  uploading: "Sending the file… {{share}} %",
  writing: "Writing everything in one go and recomputing progress…",
  network: "The server could not be reached; check the connection and try again.",
  imported: "Imported",
  planned: "{{rows}} rows checked. Nothing is written until you import.",
  done: "{{rows}} rows imported.",
  counts: "{{created}} new, {{updated}} changed, {{unchanged}} already as the file says",
  objectives: "Objectives: {{counts}}",
  keyResults: "Key results: {{counts}}",
  initiatives: "Projects: {{counts}}",
  checkIns: "Check-ins: {{created}} new, {{skipped}} already recorded",
  missingTitle: "Not in Okra yet",
  missingPerson: "person {{p}}",
  missingTeam: "team “{{p}}”",
  missingPeriod: "period “{{p}}”",
  ignored: "Columns not read: {{columns}}",
  problems_one: "{{count}} problem to fix before importing",
  problems_other: "{{count}} problems to fix before importing",
  problemsTable: "Problems per row",
  previewTable: "What happens to each row",
  row: "Row",
  column: "Column",
  message: "What is wrong and how to fix it",
  type: "Type",
  title: "Title",
  action: "Action",
  types: { objective: "Objective", keyResult: "Key result", initiative: "Project", checkIn: "Check-in" },
  actions: { create: "new", update: "changes", unchanged: "no change" },
  exportTitle: "Export",
  exportHelp:
    "The objectives of {{period}} with their key results, in the import's columns (a file you can edit and import back), and a slide deck for the quarterly review.",
  exportXlsx: "Spreadsheet (Excel)",
  exportDeck: "Review deck (PowerPoint)",
};

i18next.addResourceBundle("en", "translation", { import: importStrings }, true, true);
