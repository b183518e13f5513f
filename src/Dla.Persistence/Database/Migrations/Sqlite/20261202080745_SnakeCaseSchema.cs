using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SnakeCaseSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The view names the renamed columns: dropped first, created again at the end. Primary keys keep their (unnamed) constraints.
            migrationBuilder.Sql("DROP VIEW IF EXISTS image_labels;");

            migrationBuilder.RenameColumn(
                name: "Embedding",
                table: "results",
                newName: "embedding");

            migrationBuilder.RenameColumn(
                name: "TopKJson",
                table: "results",
                newName: "top_k");

            migrationBuilder.RenameColumn(
                name: "Top1Probability",
                table: "results",
                newName: "top1_probability");

            migrationBuilder.RenameColumn(
                name: "Top1Label",
                table: "results",
                newName: "top1_label");

            migrationBuilder.RenameColumn(
                name: "Top1Index",
                table: "results",
                newName: "top1_index");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "results",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "ImageId",
                table: "results",
                newName: "image_id");

            migrationBuilder.RenameColumn(
                name: "JobId",
                table: "results",
                newName: "job_id");

            migrationBuilder.RenameIndex(
                name: "IX_results_JobId_Top1Probability_ImageId",
                table: "results",
                newName: "ix_results_job_id_top1probability_image_id");

            migrationBuilder.RenameIndex(
                name: "IX_results_JobId_Top1Label_Top1Probability_ImageId",
                table: "results",
                newName: "ix_results_job_id_top1label_top1probability_image_id");

            migrationBuilder.RenameColumn(
                name: "Weights",
                table: "jobs",
                newName: "weights");

            migrationBuilder.RenameColumn(
                name: "Tenant",
                table: "jobs",
                newName: "tenant");

            migrationBuilder.RenameColumn(
                name: "Tasks",
                table: "jobs",
                newName: "tasks");

            migrationBuilder.RenameColumn(
                name: "State",
                table: "jobs",
                newName: "state");

            migrationBuilder.RenameColumn(
                name: "Seed",
                table: "jobs",
                newName: "seed");

            migrationBuilder.RenameColumn(
                name: "Priority",
                table: "jobs",
                newName: "priority");

            migrationBuilder.RenameColumn(
                name: "Precision",
                table: "jobs",
                newName: "precision");

            migrationBuilder.RenameColumn(
                name: "Model",
                table: "jobs",
                newName: "model");

            migrationBuilder.RenameColumn(
                name: "Labels",
                table: "jobs",
                newName: "labels");

            migrationBuilder.RenameColumn(
                name: "Decode",
                table: "jobs",
                newName: "decode");

            migrationBuilder.RenameColumn(
                name: "Dataset",
                table: "jobs",
                newName: "dataset");

            migrationBuilder.RenameColumn(
                name: "Id",
                table: "jobs",
                newName: "id");

            migrationBuilder.RenameColumn(
                name: "WeightsSha256",
                table: "jobs",
                newName: "weights_sha256");

            migrationBuilder.RenameColumn(
                name: "TopK",
                table: "jobs",
                newName: "top_k");

            migrationBuilder.RenameColumn(
                name: "StartedAt",
                table: "jobs",
                newName: "started_at");

            migrationBuilder.RenameColumn(
                name: "PlannedBatches",
                table: "jobs",
                newName: "planned_batches");

            migrationBuilder.RenameColumn(
                name: "NumClasses",
                table: "jobs",
                newName: "num_classes");

            migrationBuilder.RenameColumn(
                name: "MaxFailedPercent",
                table: "jobs",
                newName: "max_failed_percent");

            migrationBuilder.RenameColumn(
                name: "MaxFailedImages",
                table: "jobs",
                newName: "max_failed_images");

            migrationBuilder.RenameColumn(
                name: "ListingComplete",
                table: "jobs",
                newName: "listing_complete");

            migrationBuilder.RenameColumn(
                name: "ListedImages",
                table: "jobs",
                newName: "listed_images");

            migrationBuilder.RenameColumn(
                name: "FinishedAt",
                table: "jobs",
                newName: "finished_at");

            migrationBuilder.RenameColumn(
                name: "FailureReason",
                table: "jobs",
                newName: "failure_reason");

            migrationBuilder.RenameColumn(
                name: "EmbeddingPrecision",
                table: "jobs",
                newName: "embedding_precision");

            migrationBuilder.RenameColumn(
                name: "EmbeddingDim",
                table: "jobs",
                newName: "embedding_dim");

            migrationBuilder.RenameColumn(
                name: "DlaVersion",
                table: "jobs",
                newName: "dla_version");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "jobs",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "CancelRequestedAt",
                table: "jobs",
                newName: "cancel_requested_at");

            migrationBuilder.RenameColumn(
                name: "BatchSize",
                table: "jobs",
                newName: "batch_size");

            migrationBuilder.RenameIndex(
                name: "IX_jobs_Tenant_State",
                table: "jobs",
                newName: "ix_jobs_tenant_state");

            migrationBuilder.RenameIndex(
                name: "IX_jobs_CreatedAt",
                table: "jobs",
                newName: "ix_jobs_created_at");

            migrationBuilder.RenameColumn(
                name: "Path",
                table: "images",
                newName: "path");

            migrationBuilder.RenameColumn(
                name: "BatchIndex",
                table: "images",
                newName: "batch_index");

            migrationBuilder.RenameColumn(
                name: "ImageId",
                table: "images",
                newName: "image_id");

            migrationBuilder.RenameColumn(
                name: "JobId",
                table: "images",
                newName: "job_id");

            migrationBuilder.RenameIndex(
                name: "IX_images_JobId_BatchIndex",
                table: "images",
                newName: "ix_images_job_id_batch_index");

            migrationBuilder.RenameColumn(
                name: "Message",
                table: "image_errors",
                newName: "message");

            migrationBuilder.RenameColumn(
                name: "Kind",
                table: "image_errors",
                newName: "kind");

            migrationBuilder.RenameColumn(
                name: "CreatedAt",
                table: "image_errors",
                newName: "created_at");

            migrationBuilder.RenameColumn(
                name: "ImageId",
                table: "image_errors",
                newName: "image_id");

            migrationBuilder.RenameColumn(
                name: "JobId",
                table: "image_errors",
                newName: "job_id");

            migrationBuilder.RenameColumn(
                name: "Worker",
                table: "batches",
                newName: "worker");

            migrationBuilder.RenameColumn(
                name: "State",
                table: "batches",
                newName: "state");

            migrationBuilder.RenameColumn(
                name: "Dispatches",
                table: "batches",
                newName: "dispatches");

            migrationBuilder.RenameColumn(
                name: "StartedAt",
                table: "batches",
                newName: "started_at");

            migrationBuilder.RenameColumn(
                name: "LeaseUntil",
                table: "batches",
                newName: "lease_until");

            migrationBuilder.RenameColumn(
                name: "LastError",
                table: "batches",
                newName: "last_error");

            migrationBuilder.RenameColumn(
                name: "ImageCount",
                table: "batches",
                newName: "image_count");

            migrationBuilder.RenameColumn(
                name: "DispatchedAt",
                table: "batches",
                newName: "dispatched_at");

            migrationBuilder.RenameColumn(
                name: "CompletedAt",
                table: "batches",
                newName: "completed_at");

            migrationBuilder.RenameColumn(
                name: "BatchIndex",
                table: "batches",
                newName: "batch_index");

            migrationBuilder.RenameColumn(
                name: "JobId",
                table: "batches",
                newName: "job_id");

            migrationBuilder.RenameIndex(
                name: "IX_batches_State_LeaseUntil",
                table: "batches",
                newName: "ix_batches_state_lease_until");

            migrationBuilder.RenameIndex(
                name: "IX_batches_JobId_State_BatchIndex",
                table: "batches",
                newName: "ix_batches_job_id_state_batch_index");

            migrationBuilder.Sql("""
                CREATE VIEW image_labels AS
                SELECT i.job_id, i.image_id, i.path,
                       r.top1_index, r.top1_label, r.top1_probability, r.top_k, r.embedding,
                       e.kind AS error_kind, e.message AS error_message,
                       COALESCE(r.created_at, e.created_at) AS created_at
                FROM images i
                JOIN jobs j ON j.id = i.job_id AND j.state <> 'Deleting'
                LEFT JOIN results r ON r.job_id = i.job_id AND r.image_id = i.image_id
                LEFT JOIN image_errors e ON e.job_id = i.job_id AND e.image_id = i.image_id;
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // As in Up: the view goes first and comes back with the old names.
            migrationBuilder.Sql("DROP VIEW IF EXISTS image_labels;");

            migrationBuilder.RenameColumn(
                name: "embedding",
                table: "results",
                newName: "Embedding");

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

            migrationBuilder.Sql("""
                CREATE VIEW image_labels AS
                SELECT i."JobId" AS job_id, i."ImageId" AS image_id, i."Path" AS path,
                       r."Top1Index" AS top1_index, r."Top1Label" AS top1_label, r."Top1Probability" AS top1_probability,
                       r."TopKJson" AS top_k, r."Embedding" AS embedding,
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
