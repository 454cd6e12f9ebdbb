/**
 * Example OKRs per function to start from — written for Okra. Each is a sound OKR: a
 * qualitative objective and three measurable outcomes with a baseline and a target.
 */
import type { KrType } from "../../../domain/types.js";

export interface TemplateKr {
  title: string;
  type: KrType;
  start?: number;
  target?: number;
  unit?: "number" | "percent" | "currency";
  currency?: string;
}

export interface Template {
  id: string;
  area: string;
  title: string;
  keyResults: TemplateKr[];
}

export const TEMPLATES: Template[] = [
  {
    id: "sales-pipeline",
    area: "Sales",
    title: "Build a pipeline we can count on",
    keyResults: [
      {
        title: "Qualified pipeline",
        type: "increase",
        start: 800_000,
        target: 1_500_000,
        unit: "currency",
        currency: "EUR",
      },
      { title: "Win rate on qualified deals", type: "increase", start: 20, target: 28, unit: "percent" },
      { title: "Average days to close", type: "decrease", start: 70, target: 50 },
    ],
  },
  {
    id: "marketing-demand",
    area: "Marketing",
    title: "Bring in buyers who fit",
    keyResults: [
      { title: "Marketing-qualified leads per month", type: "increase", start: 300, target: 500 },
      { title: "Lead to opportunity conversion", type: "increase", start: 8, target: 12, unit: "percent" },
      { title: "Cost per opportunity", type: "decrease", start: 1200, target: 900, unit: "currency", currency: "EUR" },
    ],
  },
  {
    id: "engineering-reliability",
    area: "Engineering",
    title: "Ship faster without breaking things",
    keyResults: [
      { title: "Deploys per week", type: "increase", start: 5, target: 20 },
      { title: "Change failure rate", type: "decrease", start: 15, target: 5, unit: "percent" },
      { title: "Uptime stays at or above 99.9 %", type: "stayAbove", target: 99.9, unit: "percent" },
    ],
  },
  {
    id: "product-activation",
    area: "Product",
    title: "New users find value on day one",
    keyResults: [
      { title: "Sign-ups reaching the first key action", type: "increase", start: 35, target: 55, unit: "percent" },
      { title: "Median minutes to first key action", type: "decrease", start: 25, target: 8 },
      { title: "Week-4 retention of new users", type: "increase", start: 30, target: 40, unit: "percent" },
    ],
  },
  {
    id: "cs-retention",
    area: "Customer success",
    title: "Customers stay because they succeed",
    keyResults: [
      { title: "Net revenue retention", type: "increase", start: 102, target: 110, unit: "percent" },
      { title: "Logo churn per quarter", type: "decrease", start: 4, target: 2, unit: "percent" },
      { title: "Customer satisfaction stays at or above 90 %", type: "stayAbove", target: 90, unit: "percent" },
    ],
  },
  {
    id: "ops-efficiency",
    area: "Operations",
    title: "Run the business with less friction",
    keyResults: [
      { title: "Days to close the books each month", type: "decrease", start: 12, target: 5 },
      { title: "Invoices paid on time", type: "increase", start: 80, target: 95, unit: "percent" },
      { title: "Manual steps in the order process", type: "decrease", start: 14, target: 4 },
    ],
  },
  {
    id: "people-growth",
    area: "People",
    title: "A place where people grow and stay",
    keyResults: [
      { title: "Employee NPS", type: "increase", start: 15, target: 35 },
      { title: "Regretted attrition", type: "decrease", start: 10, target: 6, unit: "percent" },
      { title: "Roles filled within 45 days", type: "increase", start: 50, target: 75, unit: "percent" },
    ],
  },
];
