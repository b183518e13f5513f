using Dla.Cli;

return await CliRunner.InvokeAsync(DlaCommandLine.Create(), args);
