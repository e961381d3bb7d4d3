using System.Diagnostics;
using SparseCore.Cli.Sweeps;

namespace SparseCore.Cli.Tests.Sweeps;

/// <summary>
/// The sweep's commits in a scratch repository: a stored cell is committed alone; while a merge
/// beside the sweep waits on a conflict the commit is refused without touching the index, and the
/// next call, after the merge is done, commits the file then.
/// </summary>
public sealed class GitRecordTests : IDisposable
{
    private readonly string repo = Directory.CreateTempSubdirectory("sparsecore-git-").FullName;

    public void Dispose() => Directory.Delete(repo, recursive: true);

    private string Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var git = Process.Start(start)!;
        string output = git.StandardOutput.ReadToEnd();
        git.StandardError.ReadToEnd();
        git.WaitForExit();
        return output;
    }

    private void Init()
    {
        Git("init", "-q", "-b", "main");
        Git("config", "user.email", "test@example.com");
        Git("config", "user.name", "test");
    }

    private void Write(string path, string text)
    {
        string full = Path.Combine(repo, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    [Fact]
    public void A_cell_is_labelled_with_heads_hash_and_modified_when_the_program_differs_from_it()
    {
        Init();
        Write("src/program.cs", "v1\n");
        Write("results/grid/a.json", "{}");
        Git("add", ".");
        Git("commit", "-qm", "base");
        string head = Git("rev-parse", "--short=12", "HEAD").Trim();
        Assert.Equal(12, head.Length);

        Assert.Equal(head, GitRecord.Commit("results", repo));
        Write("results/grid/a.json", "{\"changed\": true}"); // the store itself may change under the sweep
        Assert.Equal(head, GitRecord.Commit("results", repo));
        Write("src/program.cs", "v2\n");
        Assert.Equal(head + "+modified", GitRecord.Commit("results", repo));
    }

    [Fact]
    public void A_cell_refused_during_a_merge_is_committed_by_the_next_call()
    {
        Init();
        Write("notes.md", "base\n");
        Git("add", "notes.md");
        Git("commit", "-qm", "base");
        string store = Path.Combine(repo, "results", "grid");

        Write("results/grid/a.json", "{}");
        Write("notes.md", "edited, not the sweep's\n");
        Assert.True(GitRecord.TryCommitFolder(store, "cell a", repo));
        Assert.Equal("results/grid/a.json", Git("show", "--name-only", "--format=", "HEAD").Trim());

        // A conflicted merge beside the sweep.
        Git("checkout", "-q", "notes.md");
        Git("checkout", "-q", "-b", "side");
        Write("notes.md", "side\n");
        Git("commit", "-qam", "side");
        Git("checkout", "-q", "main");
        Write("notes.md", "main\n");
        Git("commit", "-qam", "main");
        Git("merge", "side");
        Assert.NotEqual("", Git("rev-parse", "-q", "--verify", "MERGE_HEAD"));

        Write("results/grid/b.json", "{}");
        Assert.False(GitRecord.TryCommitFolder(store, "cell b", repo));
        Assert.StartsWith("??", Git("status", "--porcelain", "--", "results").Trim()); // not staged into the merge

        Write("notes.md", "resolved\n");
        Git("commit", "-qam", "merged");
        Assert.True(GitRecord.TryCommitFolder(store, "cell c", repo));
        Assert.Equal("results/grid/b.json", Git("show", "--name-only", "--format=", "HEAD").Trim());
        Assert.Equal("", Git("status", "--porcelain").Trim());
        // Nothing left: a further call commits nothing and succeeds.
        string head = Git("rev-parse", "HEAD");
        Assert.True(GitRecord.TryCommitFolder(store, "cell d", repo));
        Assert.Equal(head, Git("rev-parse", "HEAD"));
    }
}
