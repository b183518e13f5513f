using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Dla.Persistence.Database.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class JobTenant : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Tenant",
                table: "jobs",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_jobs_Tenant_State",
                table: "jobs",
                columns: new[] { "Tenant", "State" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_jobs_Tenant_State",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Tenant",
                table: "jobs");
        }
    }
}
