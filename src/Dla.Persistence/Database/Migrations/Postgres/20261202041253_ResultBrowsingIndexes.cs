using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ResultBrowsingIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_results_JobId_Top1Label_Top1Probability_ImageId",
                table: "results",
                columns: new[] { "JobId", "Top1Label", "Top1Probability", "ImageId" });

            migrationBuilder.CreateIndex(
                name: "IX_results_JobId_Top1Probability_ImageId",
                table: "results",
                columns: new[] { "JobId", "Top1Probability", "ImageId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_results_JobId_Top1Label_Top1Probability_ImageId",
                table: "results");

            migrationBuilder.DropIndex(
                name: "IX_results_JobId_Top1Probability_ImageId",
                table: "results");
        }
    }
}
