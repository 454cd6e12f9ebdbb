CREATE TABLE "objective_title_pending" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"objective_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "objective_title_tokens" (
	"org_id" uuid NOT NULL,
	"period_id" uuid NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"objective_id" uuid NOT NULL,
	CONSTRAINT "objective_title_tokens_org_id_period_id_token_created_at_objective_id_pk" PRIMARY KEY("org_id","period_id","token","created_at","objective_id")
);
--> statement-breakpoint
CREATE INDEX "objective_title_pending_org_idx" ON "objective_title_pending" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "objective_title_pending_objective_idx" ON "objective_title_pending" USING btree ("org_id","objective_id");--> statement-breakpoint
CREATE INDEX "objective_title_tokens_objective_idx" ON "objective_title_tokens" USING btree ("org_id","objective_id");--> statement-breakpoint
CREATE FUNCTION "okra_titles_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "objective_title_pending" ("org_id", "objective_id")
    SELECT "org_id", "id" FROM "inserted_objectives";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "objectives_titles_inserted" AFTER INSERT ON "objectives"
  REFERENCING NEW TABLE AS "inserted_objectives" FOR EACH STATEMENT EXECUTE FUNCTION "okra_titles_inserted"();--> statement-breakpoint
CREATE FUNCTION "okra_title_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "objective_title_pending" ("org_id", "objective_id") VALUES (NEW."org_id", NEW."id");
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "objectives_title_changed" AFTER UPDATE OF "title", "period_id", "created_at" ON "objectives"
  FOR EACH ROW WHEN (OLD."title" IS DISTINCT FROM NEW."title" OR OLD."period_id" IS DISTINCT FROM NEW."period_id"
    OR OLD."created_at" IS DISTINCT FROM NEW."created_at")
  EXECUTE FUNCTION "okra_title_changed"();--> statement-breakpoint
CREATE FUNCTION "okra_titles_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "objective_title_tokens" t USING "deleted_objectives" d WHERE t."org_id" = d."org_id" AND t."objective_id" = d."id";
  DELETE FROM "objective_title_pending" p USING "deleted_objectives" d WHERE p."org_id" = d."org_id" AND p."objective_id" = d."id";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "objectives_titles_deleted" AFTER DELETE ON "objectives"
  REFERENCING OLD TABLE AS "deleted_objectives" FOR EACH STATEMENT EXECUTE FUNCTION "okra_titles_deleted"();--> statement-breakpoint
INSERT INTO "objective_title_pending" ("org_id", "objective_id") SELECT "org_id", "id" FROM "objectives";
