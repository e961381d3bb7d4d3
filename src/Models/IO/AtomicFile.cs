using System.Text;

namespace SparseCore.Models.IO;

/// <summary>Writes go to a temporary file beside the target and are renamed over it, so a reader
/// (or a crash) never sees a half-written file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string contents) => Write(path, s =>
    {
        var bytes = Encoding.UTF8.GetBytes(contents);
        s.Write(bytes);
    });

    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var s = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(s);
                s.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            // A failed clean-up must not hide why the write failed.
            try { File.Delete(temp); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }
}
