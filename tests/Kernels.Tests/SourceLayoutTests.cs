using System.Text.RegularExpressions;

namespace SparseCore.Kernels.Tests;

/// <summary>
/// How src/Kernels is laid out, checked on the sources: one folder per op family holding its
/// contract (Backend.&lt;Family&gt;.cs) beside its CPU and ILGPU implementations, and namespaces that
/// match folders. The one exception C# forces: a partial class has one namespace, so the files
/// that extend Backend, CpuBackend or IlgpuBackend from a family folder are named after the class
/// (Backend.Conv.cs, CpuBackend.Conv.cs, IlgpuBackend.Conv.cs) and keep the class's namespace.
/// </summary>
public sealed partial class SourceLayoutTests
{
    private static readonly Dictionary<string, string> BackendClasses = new()
    {
        ["Backend"] = "SparseCore.Kernels",
        ["CpuBackend"] = "SparseCore.Kernels.Cpu",
        ["IlgpuBackend"] = "SparseCore.Kernels.Ilgpu",
    };

    /// <summary>Folders of src/Kernels that are not op families: the backends, memory, the self-test.</summary>
    private static readonly string[] InfrastructureFolders = ["Cpu", "Ilgpu", "Memory", "Diagnostics"];

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^(?:\[[^\n]*\]\s*)*(?:(?:public|internal|file|static|sealed|abstract|readonly|unsafe|partial|ref)\s+)*(class|struct|record|interface|enum)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    [GeneratedRegex(@"^(Backend|CpuBackend|IlgpuBackend)\.\w+\.cs$")]
    private static partial Regex BackendPartialFileName();

    private static string FolderNamespace(string rootNamespace, string relativeFile)
    {
        string? folder = Path.GetDirectoryName(relativeFile)?.Replace('\\', '/');
        return string.IsNullOrEmpty(folder) ? rootNamespace : rootNamespace + "." + folder.Replace('/', '.');
    }

    private static string Namespace(string text, string file)
    {
        var matches = NamespaceLine().Matches(text);
        Assert.True(matches.Count == 1, $"{file}: expected one file-scoped namespace, found {matches.Count}");
        return matches[0].Groups[1].Value;
    }

    [Fact]
    public void Every_kernels_source_declares_its_folders_namespace_or_is_named_for_the_backend_class_it_extends()
    {
        var problems = new List<string>();
        foreach (string file in SourceTree.CSharpFiles("src", "Kernels"))
        {
            string text = File.ReadAllText(SourceTree.Combine("src", "Kernels", file));
            string ns = Namespace(text, file);
            var partialName = BackendPartialFileName().Match(Path.GetFileName(file));
            if (partialName.Success)
            {
                string cls = partialName.Groups[1].Value;
                if (ns != BackendClasses[cls]) problems.Add($"{file}: extends {cls}, so its namespace is {BackendClasses[cls]}, not {ns}");
                foreach (Match t in TopLevelType().Matches(text))
                    if (t.Groups[2].Value != cls || !t.Value.Contains("partial ", StringComparison.Ordinal))
                        problems.Add($"{file}: declares {t.Groups[1].Value} {t.Groups[2].Value}; a {cls}.<Family>.cs file holds only partial class {cls}");
            }
            else if (ns != FolderNamespace("SparseCore.Kernels", file))
            {
                problems.Add($"{file}: namespace {ns}, folder namespace {FolderNamespace("SparseCore.Kernels", file)}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_op_family_folder_holds_its_contract_and_no_contract_lives_elsewhere()
    {
        string kernels = SourceTree.Combine("src", "Kernels");
        var families = Directory.GetDirectories(kernels).Select(Path.GetFileName).OfType<string>()
            .Where(d => d is not ("bin" or "obj") && !InfrastructureFolders.Contains(d)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(families);
        foreach (string family in families)
            Assert.True(File.Exists(Path.Combine(kernels, family, $"Backend.{family}.cs")), $"src/Kernels/{family} has no Backend.{family}.cs");
        // Outside the family folders only Backend.cs (memory and validation helpers) and the
        // profiling hooks every entry point calls extend Backend.
        var elsewhere = SourceTree.CSharpFiles("src", "Kernels")
            .Where(f => !families.Contains(f.Split('/')[0]) && f is not ("Backend.cs" or "Diagnostics/Backend.Profiling.cs"))
            .Where(f => Regex.IsMatch(File.ReadAllText(Path.Combine(kernels, f)), @"^public abstract partial class Backend\b", RegexOptions.Multiline))
            .ToList();
        Assert.True(elsewhere.Count == 0, "Backend contract outside a family folder: " + string.Join(", ", elsewhere));
    }

    [Fact]
    public void Every_kernels_test_file_declares_its_folders_namespace()
    {
        var problems = SourceTree.CSharpFiles("tests", "Kernels.Tests")
            .Select(f => (File: f, Ns: Namespace(File.ReadAllText(SourceTree.Combine("tests", "Kernels.Tests", f)), f)))
            .Where(x => x.Ns != FolderNamespace("SparseCore.Kernels.Tests", x.File))
            .Select(x => $"{x.File}: namespace {x.Ns}, folder namespace {FolderNamespace("SparseCore.Kernels.Tests", x.File)}")
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
