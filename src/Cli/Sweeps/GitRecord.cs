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
        if (Retried(["add", "--", .. files]) is null) throw new InvalidOperationException($"--commit: git add failed for {string.Join(", ", files)}");
        if (Retried(["commit", "-q", "-m", message, "--", .. files]) is null) throw new InvalidOperationException($"--commit: git commit failed ({message})");
    }

    /// <summary>
    /// Commits whatever in <paramref name="folder"/> differs from HEAD: a sweep stopped between
    /// storing a cell and committing it would otherwise skip that cell as stored and never commit it.
    /// </summary>
    public static void CommitLeftovers(string folder, string message)
    {
        if (!Directory.Exists(folder) || Git("status", "--porcelain", "--", folder) is not { Length: > 0 }) return;
        CommitFiles([folder], message);
    }

    /// <summary>Another git command on the same repository (a person committing beside the sweep) holds index.lock for a moment: try again.</summary>
    private static string? Retried(string[] args)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (Git(args) is { } output) return output;
            if (attempt == 4) return null;
            Thread.Sleep(TimeSpan.FromSeconds(1 << attempt));
        }
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
