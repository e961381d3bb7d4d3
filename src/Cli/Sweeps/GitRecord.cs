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
    public static string Commit(string store, string? repository = null)
    {
        string? head = Git(repository, "rev-parse", "--short=12", "HEAD");
        if (head is null) return "unknown";
        string? changed = Git(repository, "status", "--porcelain", "--untracked-files=no", "--", ".", $":(exclude){store}");
        return string.IsNullOrWhiteSpace(changed) ? head.Trim() : head.Trim() + "+modified";
    }

    /// <summary>Commits exactly <paramref name="files"/> (nothing else staged goes with them).</summary>
    public static void CommitFiles(IReadOnlyList<string> files, string message)
    {
        if (Retried(null, ["add", "--", .. files]) is null) throw new InvalidOperationException($"--commit: git add failed for {string.Join(", ", files)}");
        if (Retried(null, ["commit", "-q", "-m", message, "--", .. files]) is null) throw new InvalidOperationException($"--commit: git commit failed ({message})");
    }

    /// <summary>
    /// Commits whatever in <paramref name="folder"/> differs from HEAD (nothing else staged goes with
    /// it); true when that is done or there was nothing to commit, false when git refused, e.g.
    /// while a merge beside the sweep waits for its conflicts to be resolved (a partial commit is
    /// refused then) — the files stay, and the next call commits them. A sweep stopped between
    /// storing a cell and committing it would otherwise skip that cell as stored and never commit it.
    /// </summary>
    public static bool TryCommitFolder(string folder, string message, string? repository = null)
    {
        if (!Directory.Exists(folder)) return true;
        string path = Path.GetFullPath(folder);
        if (Git(repository, "status", "--porcelain", "--", path) is not { } changed) return false;
        if (changed.Length == 0) return true;
        // Stage nothing into someone's unfinished merge: their merge commit would take the files.
        if (Git(repository, "rev-parse", "-q", "--verify", "MERGE_HEAD") is not null) return false;
        return Retried(repository, ["add", "--", path]) is not null
               && Retried(repository, ["commit", "-q", "-m", message, "--", path]) is not null;
    }

    /// <summary>Another git command on the same repository (a person committing beside the sweep) holds index.lock for a moment: try again.</summary>
    private static string? Retried(string? repository, string[] args)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (Git(repository, args) is { } output) return output;
            if (attempt == 4) return null;
            Thread.Sleep(TimeSpan.FromSeconds(1 << attempt));
        }
    }

    /// <summary>git's output, or null when it failed; run in <paramref name="repository"/> (null: the current folder).</summary>
    private static string? Git(string? repository, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (repository is not null) start.WorkingDirectory = repository;
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
