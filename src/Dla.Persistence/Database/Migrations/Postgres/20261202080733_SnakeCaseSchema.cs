using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SnakeCaseSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The view reads columns renamed and retyped below: dropped first, created again at the end.
            migrationBuilder.Sql("DROP VIEW IF EXISTS dla.image_labels;");

            migrationBuilder.EnsureSchema(
                name: "dla");

            migrationBuilder.RenameTable(
                name: "results",
                newName: "results",
                newSchema: "dla");

            migrationBuilder.RenameTable(
                name: "jobs",
                newName: "jobs",
                newSchema: "dla");

            migrationBuilder.RenameTable(
                name: "images",
                newName: "images",
                newSchema: "dla");

            migrationBuilder.RenameTable(
                name: "image_errors",
                newName: "image_errors",
                newSchema: "dla");

            migrationBuilder.RenameTable(
                name: "batches",
                newName: "batches",
                newSchema: "dla");

            migrationBuilder.RenameColumn(
                name: "Embedding512",
                schema: "dla",
                table: "results",
                newName: "embedding512");

            migrationBuilder.RenameColumn(
                name: "Embedding256",
                schema: "dla",
                table: "results",
                newName: "embedding256");

            migrationBuilder.RenameColumn(
                name: "Embedding1024",
                schema: "dla",
                table: "results",
                newName: "embedding1024");

            migrationBuilder.RenameColumn(
                name: "TopKJson",
                schema: "dla",
                table: "results",
                newName: "top_k");

            migrationBuilder.RenameColumn(
                name: "Top1Probability",
                schema: "dla",
                table: "results",
                newName: "top1_probability");

            migrationBuilder.RenameColumn(
                name: "Top1Label",
                schema: "dla",
                table: "results",
                newName: "top1_label");

            migrationBuilder.RenameColumn(
                name: "Top1Index",
                schema: "dla",
                table: "results",
                newName: "top1_index");

            migrationBuilder.RenameColumn(
                name: "EmbeddingHalf",
                schema: "dla",
                table: "results",
                newName: "embedding_half");

            migrationBuilder.RenameColumn(
                name: "EmbeddingAnySize",
                schema: "dla",
                table: "results",
                newName: "embedding_any_size");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                schema: "dla",
                table: "results",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "ImageId",
                schema: "dla",
                table: "results",
                newName: "image_id");

            migrationBuilder.RenameColumn(
                name: "JobId",
                schema: "dla",
                table: "results",
                newName: "job_id");

            migrationBuilder.RenameIndex(
                name: "IX_results_JobId_Top1Probability_ImageId",
                schema: "dla",
                table: "results",
                newName: "ix_results_job_id_top1probability_image_id");

            migrationBuilder.RenameIndex(
                name: "IX_results_JobId_Top1Label_Top1Probability_ImageId",
                schema: "dla",
                table: "results",
                newName: "ix_results_job_id_top1label_top1probability_image_id");

            migrationBuilder.RenameColumn(
                name: "Weights",
                schema: "dla",
                table: "jobs",
                newName: "weights");

            migrationBuilder.RenameColumn(
                name: "Tenant",
                schema: "dla",
                table: "jobs",
                newName: "tenant");

            migrationBuilder.RenameColumn(
                name: "Tasks",
                schema: "dla",
                table: "jobs",
                newName: "tasks");

            migrationBuilder.RenameColumn(
                name: "State",
                schema: "dla",
                table: "jobs",
                newName: "state");

            migrationBuilder.RenameColumn(
                name: "Seed",
                schema: "dla",
                table: "jobs",
                newName: "seed");

            migrationBuilder.RenameColumn(
                name: "Priority",
                schema: "dla",
                table: "jobs",
                newName: "priority");

            migrationBuilder.RenameColumn(
                name: "Precision",
                schema: "dla",
                table: "jobs",
                newName: "precision");

            migrationBuilder.RenameColumn(
                name: "Model",
                schema: "dla",
                table: "jobs",
                newName: "model");

            migrationBuilder.RenameColumn(
                name: "Labels",
                schema: "dla",
                table: "jobs",
                newName: "labels");

            migrationBuilder.RenameColumn(
                name: "Decode",
                schema: "dla",
                table: "jobs",
                newName: "decode");

            migrationBuilder.RenameColumn(
                name: "Dataset",
                schema: "dla",
                table: "jobs",
                newName: "dataset");

            migrationBuilder.RenameColumn(
                name: "Id",
                schema: "dla",
                table: "jobs",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "WeightsSha256",
                schema: "dla",
                table: "jobs",
                newName: "weights_sha256");

            migrationBuilder.RenameColumn(
                name: "TopK",
                schema: "dla",
                table: "jobs",
                newName: "top_k");

            migrationBuilder.RenameColumn(
                name: "StartedAt",
                schema: "dla",
                table: "jobs",
                newName: "started_at");

            migrationBuilder.RenameColumn(
                name: "PlannedBatches",
                schema: "dla",
                table: "jobs",
                newName: "planned_batches");

            migrationBuilder.RenameColumn(
                name: "NumClasses",
                schema: "dla",
                table: "jobs",
                newName: "num_classes");

            migrationBuilder.RenameColumn(
                name: "MaxFailedPercent",
                schema: "dla",
                table: "jobs",
                newName: "max_failed_percent");

            migrationBuilder.RenameColumn(
                name: "MaxFailedImages",
                schema: "dla",
                table: "jobs",
                newName: "max_failed_images");

            migrationBuilder.RenameColumn(
                name: "ListingComplete",
                schema: "dla",
                table: "jobs",
                newName: "listing_complete");

            migrationBuilder.RenameColumn(
                name: "ListedImages",
                schema: "dla",
                table: "jobs",
                newName: "listed_images");

            migrationBuilder.RenameColumn(
                name: "FinishedAt",
                schema: "dla",
                table: "jobs",
                newName: "finished_at");

            migrationBuilder.RenameColumn(
                name: "FailureReason",
                schema: "dla",
                table: "jobs",
                newName: "failure_reason");

            migrationBuilder.RenameColumn(
                name: "EmbeddingPrecision",
                schema: "dla",
                table: "jobs",
                newName: "embedding_precision");

            migrationBuilder.RenameColumn(
                name: "EmbeddingDim",
                schema: "dla",
                table: "jobs",
                newName: "embedding_dim");

            migrationBuilder.RenameColumn(
                name: "DlaVersion",
                schema: "dla",
                table: "jobs",
                newName: "dla_version");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                schema: "dla",
                table: "jobs",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "CancelRequestedAt",
                schema: "dla",
                table: "jobs",
                newName: "cancel_requested_at");

            migrationBuilder.RenameColumn(
                name: "BatchSize",
                schema: "dla",
                table: "jobs",
                newName: "batch_size");

            migrationBuilder.RenameIndex(
                name: "IX_jobs_Tenant_State",
                schema: "dla",
                table: "jobs",
                newName: "ix_jobs_tenant_state");

            migrationBuilder.RenameIndex(
                name: "IX_jobs_CreatedAt",
                schema: "dla",
                table: "jobs",
                newName: "ix_jobs_created_at");

            migrationBuilder.RenameColumn(
                name: "Path",
                schema: "dla",
                table: "images",
                newName: "path");

            migrationBuilder.RenameColumn(
                name: "BatchIndex",
                schema: "dla",
                table: "images",
                newName: "batch_index");

            migrationBuilder.RenameColumn(
                name: "ImageId",
                schema: "dla",
                table: "images",
                newName: "image_id");

            migrationBuilder.RenameColumn(
                name: "JobId",
                schema: "dla",
                table: "images",
                newName: "job_id");

            migrationBuilder.RenameIndex(
                name: "IX_images_JobId_BatchIndex",
                schema: "dla",
                table: "images",
                newName: "ix_images_job_id_batch_index");

            migrationBuilder.RenameColumn(
                name: "Message",
                schema: "dla",
                table: "image_errors",
                newName: "message");

            migrationBuilder.RenameColumn(
                name: "Kind",
                schema: "dla",
                table: "image_errors",
                newName: "kind");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                schema: "dla",
                table: "image_errors",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "ImageId",
                schema: "dla",
                table: "image_errors",
                newName: "image_id");

            migrationBuilder.RenameColumn(
                name: "JobId",
                schema: "dla",
                table: "image_errors",
                newName: "job_id");

            migrationBuilder.RenameColumn(
                name: "Worker",
                schema: "dla",
                table: "batches",
                newName: "worker");

            migrationBuilder.RenameColumn(
                name: "State",
                schema: "dla",
                table: "batches",
                newName: "state");

            migrationBuilder.RenameColumn(
                name: "Dispatches",
                schema: "dla",
                table: "batches",
                newName: "dispatches");

            migrationBuilder.RenameColumn(
                name: "StartedAt",
                schema: "dla",
                table: "batches",
                newName: "started_at");

            migrationBuilder.RenameColumn(
                name: "LeaseUntil",
                schema: "dla",
                table: "batches",
                newName: "lease_until");

            migrationBuilder.RenameColumn(
                name: "LastError",
                schema: "dla",
                table: "batches",
                newName: "last_error");

            migrationBuilder.RenameColumn(
                name: "ImageCount",
                schema: "dla",
                table: "batches",
                newName: "image_count");

            migrationBuilder.RenameColumn(
                name: "DispatchedAt",
                schema: "dla",
                table: "batches",
                newName: "dispatched_at");

            migrationBuilder.RenameColumn(
                name: "CompletedAt",
                schema: "dla",
                table: "batches",
                newName: "completed_at");

            migrationBuilder.RenameColumn(
                name: "BatchIndex",
                schema: "dla",
                table: "batches",
                newName: "batch_index");

            migrationBuilder.RenameColumn(
                name: "JobId",
                schema: "dla",
                table: "batches",
                newName: "job_id");

            migrationBuilder.RenameIndex(
                name: "IX_batches_State_LeaseUntil",
                schema: "dla",
                table: "batches",
                newName: "ix_batches_state_lease_until");

            migrationBuilder.RenameIndex(
                name: "IX_batches_JobId_State_BatchIndex",
                schema: "dla",
                table: "batches",
                newName: "ix_batches_job_id_state_batch_index");

            // text to jsonb rewrites the table once (minutes for 10⁷ rows); the values are the same JSON documents.
            migrationBuilder.Sql("""ALTER TABLE dla.results ALTER COLUMN top_k TYPE jsonb USING top_k::jsonb;""");

            // The primary keys keep their indexes (a rebuild would take minutes at 10⁷ rows); only their names change.
            migrationBuilder.Sql("""ALTER INDEX dla."PK_batches" RENAME TO pk_batches;""");
            migrationBuilder.Sql("""ALTER INDEX dla."PK_images" RENAME TO pk_images;""");
            migrationBuilder.Sql("""ALTER INDEX dla."PK_image_errors" RENAME TO pk_image_errors;""");
            migrationBuilder.Sql("""ALTER INDEX dla."PK_jobs" RENAME TO pk_jobs;""");
            migrationBuilder.Sql("""ALTER INDEX dla."PK_results" RENAME TO pk_results;""");

            migrationBuilder.Sql("""
                CREATE VIEW dla.image_labels AS
                SELECT i.job_id, i.image_id, i.path,
                       r.top1_index, r.top1_label, r.top1_probability, r.top_k,
                       COALESCE(r.embedding256, r.embedding512, r.embedding1024, r.embedding_any_size, r.embedding_half::vector) AS embedding,
                       e.kind AS error_kind, e.message AS error_message,
                       COALESCE(r.created_at, e.created_at) AS created_at
                FROM dla.images i
                JOIN dla.jobs j ON j.id = i.job_id AND j.state <> 'Deleting'
                LEFT JOIN dla.results r ON r.job_id = i.job_id AND r.image_id = i.image_id
                LEFT JOIN dla.image_errors e ON e.job_id = i.job_id AND e.image_id = i.image_id;
                """);
            migrationBuilder.Sql("COMMENT ON VIEW dla.image_labels IS 'One row per image of every job: its top-1 and top-k (jsonb), embedding, or error. docs/sql.md';");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW IF EXISTS dla.image_labels;");
            migrationBuilder.Sql("""ALTER INDEX dla.pk_batches RENAME TO "PK_batches";""");
            migrationBuilder.Sql("""ALTER INDEX dla.pk_images RENAME TO "PK_images";""");
            migrationBuilder.Sql("""ALTER INDEX dla.pk_image_errors RENAME TO "PK_image_errors";""");
            migrationBuilder.Sql("""ALTER INDEX dla.pk_jobs RENAME TO "PK_jobs";""");
            migrationBuilder.Sql("""ALTER INDEX dla.pk_results RENAME TO "PK_results";""");

            migrationBuilder.RenameTable(
                name: "results",
                schema: "dla",
                newName: "results",
                newSchema: "public");

            migrationBuilder.RenameTable(
                name: "jobs",
                schema: "dla",
                newName: "jobs",
                newSchema: "public");

            migrationBuilder.RenameTable(
                name: "images",
                schema: "dla",
                newName: "images",
                newSchema: "public");

            migrationBuilder.RenameTable(
                name: "image_errors",
                schema: "dla",
                newName: "image_errors",
                newSchema: "public");

            migrationBuilder.RenameTable(
                name: "batches",
                schema: "dla",
                newName: "batches",
                newSchema: "public");

            migrationBuilder.RenameColumn(
                name: "embedding512",
                table: "results",
                newName: "Embedding512");

            migrationBuilder.RenameColumn(
                name: "embedding256",
                table: "results",
                newName: "Embedding256");

            migrationBuilder.RenameColumn(
                name: "embedding1024",
                table: "results",
                newName: "Embedding1024");

            migrationBuilder.RenameColumn(
                name: "top_k",
                table: "results",
                newName: "TopKJson");

            migrationBuilder.RenameColumn(
                name: "top1_probability",
                table: "results",
                newName: "Top1Probability");

            migrationBuilder.RenameColumn(
                name: "top1_label",
                table: "results",
                newName: "Top1Label");

            migrationBuilder.RenameColumn(
                name: "top1_index",
                table: "results",
                newName: "Top1Index");

            migrationBuilder.RenameColumn(
                name: "embedding_half",
                table: "results",
                newName: "EmbeddingHalf");

            migrationBuilder.RenameColumn(
                name: "embedding_any_size",
                table: "results",
                newName: "EmbeddingAnySize");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "results",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "image_id",
                table: "results",
                newName: "ImageId");

            migrationBuilder.RenameColumn(
                name: "job_id",
                table: "results",
                newName: "JobId");

            migrationBuilder.RenameIndex(
                name: "ix_results_job_id_top1probability_image_id",
                table: "results",
                newName: "IX_results_JobId_Top1Probability_ImageId");

            migrationBuilder.RenameIndex(
                name: "ix_results_job_id_top1label_top1probability_image_id",
                table: "results",
                newName: "IX_results_JobId_Top1Label_Top1Probability_ImageId");

            migrationBuilder.RenameColumn(
                name: "weights",
                table: "jobs",
                newName: "Weights");

            migrationBuilder.RenameColumn(
                name: "tenant",
                table: "jobs",
                newName: "Tenant");

            migrationBuilder.RenameColumn(
                name: "tasks",
                table: "jobs",
                newName: "Tasks");

            migrationBuilder.RenameColumn(
                name: "state",
                table: "jobs",
                newName: "State");

            migrationBuilder.RenameColumn(
                name: "seed",
                table: "jobs",
                newName: "Seed");

            migrationBuilder.RenameColumn(
                name: "priority",
                table: "jobs",
                newName: "Priority");

            migrationBuilder.RenameColumn(
                name: "precision",
                table: "jobs",
                newName: "Precision");

            migrationBuilder.RenameColumn(
                name: "model",
                table: "jobs",
                newName: "Model");

            migrationBuilder.RenameColumn(
                name: "labels",
                table: "jobs",
                newName: "Labels");

            migrationBuilder.RenameColumn(
                name: "decode",
                table: "jobs",
                newName: "Decode");

            migrationBuilder.RenameColumn(
                name: "dataset",
                table: "jobs",
                newName: "Dataset");

            migrationBuilder.RenameColumn(
                name: "id",
                table: "jobs",
                newName: "Id");

            migrationBuilder.RenameColumn(
                name: "weights_sha256",
                table: "jobs",
                newName: "WeightsSha256");

            migrationBuilder.RenameColumn(
                name: "top_k",
                table: "jobs",
                newName: "TopK");

            migrationBuilder.RenameColumn(
                name: "started_at",
                table: "jobs",
                newName: "StartedAt");

            migrationBuilder.RenameColumn(
                name: "planned_batches",
                table: "jobs",
                newName: "PlannedBatches");

            migrationBuilder.RenameColumn(
                name: "num_classes",
                table: "jobs",
                newName: "NumClasses");

            migrationBuilder.RenameColumn(
                name: "max_failed_percent",
                table: "jobs",
                newName: "MaxFailedPercent");

            migrationBuilder.RenameColumn(
                name: "max_failed_images",
                table: "jobs",
                newName: "MaxFailedImages");

            migrationBuilder.RenameColumn(
                name: "listing_complete",
                table: "jobs",
                newName: "ListingComplete");

            migrationBuilder.RenameColumn(
                name: "listed_images",
                table: "jobs",
                newName: "ListedImages");

            migrationBuilder.RenameColumn(
                name: "finished_at",
                table: "jobs",
                newName: "FinishedAt");

            migrationBuilder.RenameColumn(
                name: "failure_reason",
                table: "jobs",
                newName: "FailureReason");

            migrationBuilder.RenameColumn(
                name: "embedding_precision",
                table: "jobs",
                newName: "EmbeddingPrecision");

            migrationBuilder.RenameColumn(
                name: "embedding_dim",
                table: "jobs",
                newName: "EmbeddingDim");

            migrationBuilder.RenameColumn(
                name: "dla_version",
                table: "jobs",
                newName: "DlaVersion");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "jobs",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "cancel_requested_at",
                table: "jobs",
                newName: "CancelRequestedAt");

            migrationBuilder.RenameColumn(
                name: "batch_size",
                table: "jobs",
                newName: "BatchSize");

            migrationBuilder.RenameIndex(
                name: "ix_jobs_tenant_state",
                table: "jobs",
                newName: "IX_jobs_Tenant_State");

            migrationBuilder.RenameIndex(
                name: "ix_jobs_created_at",
                table: "jobs",
                newName: "IX_jobs_CreatedAt");

            migrationBuilder.RenameColumn(
                name: "path",
                table: "images",
                newName: "Path");

            migrationBuilder.RenameColumn(
                name: "batch_index",
                table: "images",
                newName: "BatchIndex");

            migrationBuilder.RenameColumn(
                name: "image_id",
                table: "images",
                newName: "ImageId");

            migrationBuilder.RenameColumn(
                name: "job_id",
                table: "images",
                newName: "JobId");

            migrationBuilder.RenameIndex(
                name: "ix_images_job_id_batch_index",
                table: "images",
                newName: "IX_images_JobId_BatchIndex");

            migrationBuilder.RenameColumn(
                name: "message",
                table: "image_errors",
                newName: "Message");

            migrationBuilder.RenameColumn(
                name: "kind",
                table: "image_errors",
                newName: "Kind");

            migrationBuilder.RenameColumn(
                name: "created_at",
                table: "image_errors",
                newName: "CreatedAt");

            migrationBuilder.RenameColumn(
                name: "image_id",
                table: "image_errors",
                newName: "ImageId");

            migrationBuilder.RenameColumn(
                name: "job_id",
                table: "image_errors",
                newName: "JobId");

            migrationBuilder.RenameColumn(
                name: "worker",
                table: "batches",
                newName: "Worker");

            migrationBuilder.RenameColumn(
                name: "state",
                table: "batches",
                newName: "State");

            migrationBuilder.RenameColumn(
                name: "dispatches",
                table: "batches",
                newName: "Dispatches");

            migrationBuilder.RenameColumn(
                name: "started_at",
                table: "batches",
                newName: "StartedAt");

            migrationBuilder.RenameColumn(
                name: "lease_until",
                table: "batches",
                newName: "LeaseUntil");

            migrationBuilder.RenameColumn(
                name: "last_error",
                table: "batches",
                newName: "LastError");

            migrationBuilder.RenameColumn(
                name: "image_count",
                table: "batches",
                newName: "ImageCount");

            migrationBuilder.RenameColumn(
                name: "dispatched_at",
                table: "batches",
                newName: "DispatchedAt");

            migrationBuilder.RenameColumn(
                name: "completed_at",
                table: "batches",
                newName: "CompletedAt");

            migrationBuilder.RenameColumn(
                name: "batch_index",
                table: "batches",
                newName: "BatchIndex");

            migrationBuilder.RenameColumn(
                name: "job_id",
                table: "batches",
                newName: "JobId");

            migrationBuilder.RenameIndex(
                name: "ix_batches_state_lease_until",
                table: "batches",
                newName: "IX_batches_State_LeaseUntil");

            migrationBuilder.RenameIndex(
                name: "ix_batches_job_id_state_batch_index",
                table: "batches",
                newName: "IX_batches_JobId_State_BatchIndex");

            migrationBuilder.Sql("""ALTER TABLE public.results ALTER COLUMN "TopKJson" TYPE text USING "TopKJson"::text;""");

            migrationBuilder.Sql("""
                CREATE VIEW dla.image_labels AS
                SELECT i."JobId" AS job_id, i."ImageId" AS image_id, i."Path" AS path,
                       r."Top1Index" AS top1_index, r."Top1Label" AS top1_label, r."Top1Probability" AS top1_probability,
                       r."TopKJson"::jsonb AS top_k,
                       COALESCE(r."Embedding256", r."Embedding512", r."Embedding1024", r."EmbeddingAnySize", r."EmbeddingHalf"::vector) AS embedding,
                       e."Kind" AS error_kind, e."Message" AS error_message,
                       COALESCE(r."CreatedAt", e."CreatedAt") AS created_at
                FROM images i
                JOIN jobs j ON j."Id" = i."JobId" AND j."State" <> 'Deleting'
                LEFT JOIN results r ON r."JobId" = i."JobId" AND r."ImageId" = i."ImageId"
                LEFT JOIN image_errors e ON e."JobId" = i."JobId" AND e."ImageId" = i."ImageId";
                """);
        }
    }
}
