CREATE INDEX "alignments_org_created_idx" ON "alignments" USING btree ("org_id","created_at","id");--> statement-breakpoint
CREATE INDEX "api_tokens_issuer_idx" ON "api_tokens" USING btree ("org_id","created_by") WHERE "api_tokens"."created_by" is not null;--> statement-breakpoint
CREATE INDEX "initiatives_org_created_idx" ON "initiatives" USING btree ("org_id","created_at","id") WHERE "initiatives"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "kpis_org_created_idx" ON "kpis" USING btree ("org_id","created_at","id") WHERE "kpis"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "objectives_list_idx" ON "objectives" USING btree ("org_id","period_id",(case "level" when 'organization' then 0 when 'team' then 1 when 'individual' then 2 else -1 end),"created_at","title","id") WHERE "objectives"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "teams_org_name_idx" ON "teams" USING btree ("org_id","name","id") WHERE "teams"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "users_org_name_idx" ON "users" USING btree ("org_id","name","id");