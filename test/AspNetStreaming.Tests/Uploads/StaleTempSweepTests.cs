using System.Diagnostics;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>After a crash, the start-up sweep removes the temp files whose writer died (however fresh they are) and
/// never one a live writer still holds: the writers here are real processes (<c>flock -s</c>, as an upload's own
/// mark), one killed with SIGKILL, one alive.</summary>
public sealed class StaleTempSweepTests
{
    [Fact]
    public async Task TheStartUpSweepRemovesWhatADeadWriterLeftAndKeepsWhatALiveOneHolds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the writer's mark is a Linux flock
        }

        using var temp = new TempDirectory();
        var dead = temp.CreateFile(".upload-0000000000000000000000000000dead.tmp", 1000);
        var live = temp.CreateFile(".upload-0000000000000000000000000000a11e.tmp", 1000);
        var other = temp.CreateFile(".not-an-upload.tmp", 10);
        using var killed = Hold(dead);
        using var alive = Hold(live);
        await Eventually.AssertAsync(() => HeldByAnother(dead) && HeldByAnother(live), "the writers did not take their locks");
        killed.Kill(entireProcessTree: true); // SIGKILL (flock and the sleep that inherited its descriptor): the kernel drops the lock
        await killed.WaitForExitAsync();
        try
        {
            await using var server = await UploadServer.StartAsync(temp.Path);
            await Eventually.AssertAsync(() => !File.Exists(dead), "the dead writer's temp file was not swept at start-up");
            Assert.True(File.Exists(live), "the sweep removed a file a live writer holds");
            Assert.True(File.Exists(other), "the sweep removed a file that is not an upload's");
        }
        finally
        {
            alive.Kill(entireProcessTree: true);
        }
    }

    private static Process Hold(string path) => Process.Start(new ProcessStartInfo("flock") { ArgumentList = { "-s", path, "sleep", "600" } })!;

    private static bool HeldByAnother(string path)
    {
        var run = Process.Start(new ProcessStartInfo("flock") { ArgumentList = { "-x", "-n", path, "true" }, RedirectStandardError = true })!;
        run.WaitForExit();
        return run.ExitCode != 0;
    }
}
