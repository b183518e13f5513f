using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ImageLabelsView : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The documented view for SQL users (docs/sql.md): one row per manifest image of every job, with its
            // result or its error (both null while it waits), in snake_case, top-k as jsonb and the embedding from
            // whichever sized column holds it. Jobs being deleted are left out.
            migrationBuilder.Sql("CREATE SCHEMA IF NOT EXISTS dla;");
            migrationBuilder.Sql("""
                CREATE VIEW dla.image_labels AS
                SELECT i."JobId" AS job_id, i."ImageId" AS image_id, i."Path" AS path,
                       r."Top1Index" AS top1_index, r."Top1Label" AS top1_label, r."Top1Probability" AS top1_probability,
                       r."TopKJson"::jsonb AS top_k,
                       COALESCE(r."Embedding256", r."Embedding512", r."Embedding1024", r."EmbeddingAnySize") AS embedding,
                       e."Kind" AS error_kind, e."Message" AS error_message,
                       COALESCE(r."CreatedAt", e."CreatedAt") AS created_at
                FROM images i
                JOIN jobs j ON j."Id" = i."JobId" AND j."State" <> 'Deleting'
                LEFT JOIN results r ON r."JobId" = i."JobId" AND r."ImageId" = i."ImageId"
                LEFT JOIN image_errors e ON e."JobId" = i."JobId" AND e."ImageId" = i."ImageId";
                """);
            migrationBuilder.Sql("COMMENT ON VIEW dla.image_labels IS 'One row per image of every job: its top-1 and top-k (jsonb), embedding, or error. docs/sql.md';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW IF EXISTS dla.image_labels;");
            migrationBuilder.Sql("DROP SCHEMA IF EXISTS dla;");
        }
    }
}
