using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SparseCore.Models.IO;

/// <summary>
/// The folder a run writes into. A new one is claimed exclusively — two runs started in the same
/// second get <c>NAME</c> and <c>NAME-2</c>, never one folder between them — and holds from its first
/// moment <see cref="CommandFileName"/>, the command that made it. A run that fails before it has
/// written anything else removes its folder again (<see cref="RemoveIfUnused"/>), so a refused or
/// diverged run leaves no empty folder behind.
/// </summary>
public static partial class RunFolder
{
    public const string CommandFileName = "command.txt";

    /// <summary>
    /// Checks that <paramref name="parent"/> can be written before anything is created in it; the
    /// error names <paramref name="option"/>.
    /// </summary>
    public static void RequireWritable(string parent, string option)
    {
        try
        {
            Directory.CreateDirectory(parent);
            string probe = Path.Combine(parent, $".write-probe-{Guid.NewGuid():N}.{Environment.ProcessId}.tmp");
            using (new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option}: cannot write into {parent}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Creates <c>parent/name</c>, or <c>parent/name-2</c>, <c>-3</c>, … when the name is taken
    /// (by a folder that already holds a run, or by a run claiming it at this moment), and writes
    /// <paramref name="command"/> into it; returns the folder's path.
    /// </summary>
    public static string Create(string parent, string name, string command)
    {
        RequireWritable(parent, "--output");
        for (int attempt = 1; ; attempt++)
        {
            string folder = Path.Combine(parent, attempt == 1 ? name : $"{name}-{attempt}");
            // CreateDirectory succeeds on an existing folder; the command file, created only if new,
            // is what makes the claim exclusive.
            if (File.Exists(folder)) continue;
            Directory.CreateDirectory(folder);
            if (Directory.EnumerateFileSystemEntries(folder).Any()) continue;
            try
            {
                using var stream = new FileStream(Path.Combine(folder, CommandFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
                using var writer = new StreamWriter(stream);
                writer.WriteLine(command);
                return folder;
            }
            catch (IOException) when (File.Exists(Path.Combine(folder, CommandFileName)))
            {
                // Another run claimed this name between our look and our write.
            }
        }
    }

    /// <summary>Deletes a folder made by <see cref="Create"/> if it still holds nothing but its command file.</summary>
    public static void RemoveIfUnused(string folder)
    {
        if (!Directory.Exists(folder)) return;
        var entries = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).ToArray();
        if (entries.All(e => e == CommandFileName)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// Prepares an existing run folder for a resume: it must be writable (checked now, not after an
    /// epoch of work), and temporary files a killed write left behind (<see cref="AtomicFile"/>'s
    /// <c>.NAME.PID.tmp</c>, their process gone) are removed, in the folder and its sub-folders.
    /// </summary>
    public static void Reopen(string folder, string option)
    {
        RequireWritable(folder, option);
        RemoveStaleTemporaries(folder);
    }

    /// <summary>Removes <c>.NAME.PID.tmp</c> files under <paramref name="folder"/> whose process no longer runs.</summary>
    public static int RemoveStaleTemporaries(string folder)
    {
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(folder, ".*.tmp", SearchOption.AllDirectories))
        {
            var m = TemporaryName().Match(Path.GetFileName(file));
            if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || IsRunning(pid))
                continue;
            File.Delete(file);
            removed++;
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    [GeneratedRegex(@"^\..+\.(\d+)\.tmp$")]
    private static partial Regex TemporaryName();
}
