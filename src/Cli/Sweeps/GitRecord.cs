using System.Diagnostics;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// The sweep's dealings with git: which commit the running program was built from (read once,
/// when the sweep starts, so later commits to the tree do not relabel its cells) and committing
/// a finished cell's files, alone, so the store survives a stop and accumulates across machines.
/// </summary>
public static class GitRecord
{
    /// <summary>HEAD's short hash, "+modified" when tracked files outside <paramref name="store"/> differ from it, "unknown" outside a repository.</summary>
    public static string Commit(string store)
    {
        string? head = Git("rev-parse", "--short=12", "HEAD");
        if (head is null) return "unknown";
        string? changed = Git("status", "--porcelain", "--untracked-files=no", "--", ".", $":(exclude){store}");
        return string.IsNullOrWhiteSpace(changed) ? head.Trim() : head.Trim() + "+modified";
    }

    /// <summary>Commits exactly <paramref name="files"/> (nothing else staged goes with them).</summary>
    public static void CommitFiles(IReadOnlyList<string> files, string message)
    {
        if (Git(["add", "--", .. files]) is null) throw new InvalidOperationException($"--commit: git add failed for {string.Join(", ", files)}");
        if (Git(["commit", "-q", "-m", message, "--", .. files]) is null) throw new InvalidOperationException($"--commit: git commit failed ({message})");
    }

    private static string? Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var git = Process.Start(start)!;
            string output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine
        }
    }
}
