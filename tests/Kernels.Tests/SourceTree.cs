namespace SparseCore.Kernels.Tests;

/// <summary>The repository checkout the tests were built from: found by walking up from the test binaries to SparseCore.sln.</summary>
internal static class SourceTree
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SparseCore.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no SparseCore.sln above {AppContext.BaseDirectory}: these tests read the sources and run from a checkout");
    });

    public static string Root => s_root.Value;

    /// <summary>An absolute path from repository-relative parts, e.g. ("src", "Kernels").</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The C# sources under a repository folder, build outputs excluded, as paths relative to that folder with '/' separators.</summary>
    public static IReadOnlyList<string> CSharpFiles(params string[] folder)
    {
        string root = Combine(folder);
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
