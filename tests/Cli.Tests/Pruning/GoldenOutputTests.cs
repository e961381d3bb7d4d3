using System.Security.Cryptography;
using System.Text.Json;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Tests.Pruning;

/// <summary>
/// A tiny prune run per method (synthetic data, fixed seeds) writes exactly the masks.json (less its
/// stage-1 wall-clock seconds) and pruned.safetensors it wrote when golden-prune.json was recorded: a refactoring of the pipeline
/// must not move a single byte. After an intended change, run the tests with
/// SPARSECORE_WRITE_GOLDEN=1 to record the new hashes, and say in the commit why they moved.
/// </summary>
public sealed class GoldenOutputTests : IDisposable
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Pruning", "golden-prune.json");
    private static readonly string SourceGoldenPath = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../Pruning/golden-prune.json"));

    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-golden-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<string, string> Runs => new()
    {
        { "pass", "--method pass --sparsity 0.5" },
        { "pass-noprompt", "--method pass --sparsity 0.5 --no-prompt" },
        { "l1", "--method l1 --sparsity 0.5" },
        { "l1-union", "--method l1 --sparsity 0.5 --mode union" },
        { "group-l1", "--method group-l1 --flops 0.5" },
        { "group-l2", "--method group-l2 --sparsity 0.4" },
        { "slim", "--method slim --sparsity 0.5" },
        { "uniform", "--method uniform --sparsity 0.5" },
        { "random", "--method random --sparsity 0.5" },
        { "growreg", "--method growreg --sparsity 0.5" },
        { "depgraph", "--method depgraph --sparsity 0.5" },
        { "abc", "--method abc --sparsity 0.5 --abc-cycles 1 --abc-sources 3 --abc-finetune-steps 2" },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void A_tiny_run_writes_the_recorded_bytes(string name, string options)
    {
        string output = Path.Combine(root, name);
        string[] args =
        [
            "prune", .. options.Split(' '), "--model", "resnet20", "--data", "synthetic", "--device", "cpu", "--seed", "3",
            "--dense-epochs", "1", "--train-subset", "96", "--search-subset", "48", "--validation", "64", "--search-epochs", "1",
            "--slim-epochs", "1", "--finetune-epochs", "1", "--batch-size", "32", "--latency-batch", "2", "--output", output,
        ];
        var (exit, stdout, error) = CliRunner.Run(args);
        Assert.True(exit == 0, error + stdout);
        string run = Assert.Single(Directory.GetDirectories(output));
        var actual = new Dictionary<string, string>
        {
            ["masks.json"] = MasksHash(Path.Combine(run, "masks.json")),
            ["pruned.safetensors"] = Hash(Path.Combine(run, "pruned.safetensors")),
        };

        if (Environment.GetEnvironmentVariable("SPARSECORE_WRITE_GOLDEN") == "1")
        {
            Record(name, actual);
            return;
        }
        var golden = Read(GoldenPath);
        Assert.True(golden.ContainsKey(name), $"no golden record for '{name}'; run with SPARSECORE_WRITE_GOLDEN=1 to record it");
        Assert.Equal(golden[name], actual);
    }

    private static string Hash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// The hash of masks.json less its one wall-clock field, info.stage1_seconds (kept there so a
    /// resumed run can report stage 1's time): every other byte must match.
    /// </summary>
    private static string MasksHash(string path)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        json["info"]!.AsObject().Remove("stage1_seconds");
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString())));
    }

    private static Dictionary<string, Dictionary<string, string>> Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(File.ReadAllText(path))! : [];

    /// <summary>Writes one run's hashes into the source tree's golden file (theory cases run one at a time in this collection).</summary>
    private static void Record(string name, Dictionary<string, string> hashes)
    {
        var all = new SortedDictionary<string, Dictionary<string, string>>(Read(SourceGoldenPath)) { [name] = hashes };
        File.WriteAllText(SourceGoldenPath, JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
