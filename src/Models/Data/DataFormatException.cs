namespace SparseCore.Models.Data;

/// <summary>
/// Any problem with a data set or checkpoint on disk: a missing file, a malformed header, a label
/// out of range, a tensor whose shape does not fit the model. One type so a command-line front end can catch every data problem in one place and print it
/// as-is; the message always starts with the file (or folder) and the field that is wrong, because
/// "index out of range" from deep inside a loader tells the user nothing about which of four
/// files to fix.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, string field, string problem, Exception? inner = null)
        : base($"{path}: {field}: {problem}", inner)
    {
        Path = path;
        Field = field;
        Problem = problem;
    }

    /// <summary>The file or folder at fault, as it was given to the loader.</summary>
    public string Path { get; }

    /// <summary>Which part is wrong: "file", "magic", "dtype", "dimension 1", "data", "label", ...</summary>
    public string Field { get; }

    /// <summary>The problem itself, without the path and field prefix.</summary>
    public string Problem { get; }
}
