using Microsoft.EntityFrameworkCore.Migrations;
using Pgvector;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <summary>
    /// Embeddings move from one unsized <c>vector</c> column to columns sized to the model (256, 512,
    /// 1024); the old column, renamed, keeps embeddings of any other size. Existing rows move with them.
    /// </summary>
    public partial class SizedEmbeddingColumns : Migration
    {
        private const string DropJobSearchIndexes = """
            DO $$
            DECLARE index_name text;
            BEGIN
                FOR index_name IN SELECT indexname FROM pg_indexes WHERE tablename = 'results' AND indexname LIKE 'ix_results_embedding_%' LOOP
                    EXECUTE format('DROP INDEX %I', index_name);
                END LOOP;
            END $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The per-job search indexes were built on casts of the old column; search rebuilds each
            // on its new column when it is next used.
            migrationBuilder.Sql(DropJobSearchIndexes);

            migrationBuilder.RenameColumn(
                name: "Embedding",
                table: "results",
                newName: "EmbeddingAnySize");

            migrationBuilder.AddColumn<Vector>(
                name: "Embedding1024",
                table: "results",
                type: "vector(1024)",
                nullable: true);

            migrationBuilder.AddColumn<Vector>(
                name: "Embedding256",
                table: "results",
                type: "vector(256)",
                nullable: true);

            migrationBuilder.AddColumn<Vector>(
                name: "Embedding512",
                table: "results",
                type: "vector(512)",
                nullable: true);

            // Embeddings of other sizes may not fit a page inline (2,048 floats are 8 KiB): out of line again.
            migrationBuilder.Sql("""ALTER TABLE results ALTER COLUMN "EmbeddingAnySize" SET STORAGE EXTERNAL;""");
            foreach (var dimension in new[] { 256, 512, 1024 })
            {
                // Inline like the old column (EmbeddingStoredInline): a 1024-float row still fits a page.
                migrationBuilder.Sql($"""ALTER TABLE results ALTER COLUMN "Embedding{dimension}" SET STORAGE PLAIN;""");
                migrationBuilder.Sql($"""
                    UPDATE results SET "Embedding{dimension}" = "EmbeddingAnySize"::vector({dimension}), "EmbeddingAnySize" = NULL
                    WHERE vector_dims("EmbeddingAnySize") = {dimension};
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(DropJobSearchIndexes);
            migrationBuilder.Sql("""
                UPDATE results SET "EmbeddingAnySize" = COALESCE("Embedding256", "Embedding512", "Embedding1024")
                WHERE "EmbeddingAnySize" IS NULL;
                """);

            migrationBuilder.DropColumn(
                name: "Embedding1024",
                table: "results");

            migrationBuilder.DropColumn(
                name: "Embedding256",
                table: "results");

            migrationBuilder.DropColumn(
                name: "Embedding512",
                table: "results");

            migrationBuilder.RenameColumn(
                name: "EmbeddingAnySize",
                table: "results",
                newName: "Embedding");

            migrationBuilder.Sql("""ALTER TABLE results ALTER COLUMN "Embedding" SET STORAGE PLAIN;""");
        }
    }
}
