using System.Globalization;
using AspNetStreaming.IO.Native;

namespace AspNetStreaming.Processes;

/// <summary>
/// The descendants of a pipeline's stages as they are at one moment, found through Linux's
/// <c>/proc/{pid}/task/{tid}/children</c>. A signal to a stage's process group misses a descendant that left the
/// group (<c>setsid</c>, a daemonizing <c>fork</c>), and once its parent dies it is re-parented to init, where no tree
/// walk finds it any more. So the killer takes this snapshot before its first signal and signals each member too.
/// Each is kept with its start time, so a pid reused by an unrelated process after the snapshot is never signalled.
/// </summary>
internal sealed class ProcessDescendants
{
    private readonly List<(int Pid, long StartTime)> _members;

    private ProcessDescendants(List<(int Pid, long StartTime)> members) => _members = members;

    /// <summary>Every process below <paramref name="roots"/> now (the roots themselves excluded); empty where there is
    /// no <c>/proc</c> children list.</summary>
    public static ProcessDescendants Snapshot(IEnumerable<int> roots)
    {
        var members = new List<(int, long)>();
        if (!OperatingSystem.IsLinux())
        {
            return new ProcessDescendants(members);
        }

        var seen = new HashSet<int>(roots);
        var pending = new Queue<int>(seen);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in ChildrenOf(pid))
            {
                if (seen.Add(child) && StartTimeOf(child) is { } started)
                {
                    members.Add((child, started));
                    pending.Enqueue(child);
                }
            }
        }

        return new ProcessDescendants(members);
    }

    /// <summary>Sends <paramref name="signal"/> to each member that is still the process the snapshot saw.</summary>
    public void Signal(int signal)
    {
        foreach (var (pid, started) in _members)
        {
            if (StartTimeOf(pid) == started)
            {
                _ = NativeMethods.Kill(pid, signal);
            }
        }
    }

    /// <summary>Whether any member is still alive (zombies count until reaped by their parent).</summary>
    public bool AnyAlive => _members.Exists(member => StartTimeOf(member.Pid) == member.StartTime);

    private static IEnumerable<int> ChildrenOf(int pid)
    {
        string[] threads;
        try
        {
            threads = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            yield break; // gone already
        }

        foreach (var thread in threads)
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Join(thread, "children"));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var token in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var child))
                {
                    yield return child;
                }
            }
        }
    }

    // Field 22 of /proc/{pid}/stat (clock ticks since boot), read after the command name's closing parenthesis, since
    // the name itself may hold spaces and parentheses.
    private static long? StartTimeOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var fields = stat.AsSpan(stat.LastIndexOf(')') + 1).Trim();
        for (var field = 3; field < 22; field++)
        {
            var space = fields.IndexOf(' ');
            if (space < 0)
            {
                return null;
            }

            fields = fields[(space + 1)..];
        }

        var end = fields.IndexOf(' ');
        return long.TryParse(end < 0 ? fields : fields[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
