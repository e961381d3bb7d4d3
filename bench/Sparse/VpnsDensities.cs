using System.Text.Json;

namespace SparseCore.Bench.Sparse;

/// <summary>
/// The per-layer densities a real VPNs run produced: results/vpns-resnet20-fmnist/vpns-s0.9.json
/// (ResNet-20 on Fashion-MNIST at sparsity 0.9), pooled over each stage's convs by weight count —
/// 16, 32 and 64 channels — so the benchmark times the sparsity pruning actually leaves, not only
/// random masks at round densities.
/// </summary>
public static class VpnsDensities
{
    public const string File = "results/vpns-resnet20-fmnist/vpns-s0.9.json";

    /// <summary>The kept share of the stage whose convs have <paramref name="channels"/> outputs.</summary>
    public static double Of(int channels)
    {
        string path = Find(File);
        using var json = JsonDocument.Parse(System.IO.File.ReadAllText(path));
        long weights = 0, kept = 0;
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            string name = layer.GetProperty("name").GetString()!;
            if (StageChannels(name) != channels) continue;
            weights += layer.GetProperty("channels").GetInt64();
            kept += layer.GetProperty("kept").GetInt64();
        }
        if (weights == 0) throw new InvalidDataException($"{path}: no 3×3 conv with {channels} outputs");
        return (double)kept / weights;
    }

    /// <summary>ResNet-20's stages, every conv in them 3×3: layer1 has 16 channels, layer2 32, layer3 64 (0 for the stem and the classifier).</summary>
    private static int StageChannels(string name) => name.StartsWith("layer", StringComparison.Ordinal) ? name[5] switch { '1' => 16, '2' => 32, '3' => 64, _ => 0 } : 0;

    /// <summary>The file, looked for from the working directory upwards (benchmarks run from bench/ or a BenchmarkDotNet child folder).</summary>
    private static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (System.IO.File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"{relative} not found from {Directory.GetCurrentDirectory()} upwards: run the VPNs comparison (scripts/vpns-results.sh) or the benchmark from the repository");
    }
}
