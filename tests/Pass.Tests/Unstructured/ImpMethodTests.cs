using SparseCore.Pass.Masks;
using SparseCore.Pass.Unstructured;
using static SparseCore.Pass.Tests.Unstructured.UnstructuredKit;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>IMP's rounds read back from its trajectory: 20 % of the remaining weights per round, nested masks, the last round exact, the dense values rewound.</summary>
public sealed class ImpMethodTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sparsecore-imp-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Each_round_removes_a_fifth_of_the_remaining_weights_and_the_survivors_are_rewound_to_the_dense_values()
    {
        using var dense = ResNet20();
        var before = State(dense);
        var options = Options("imp", 0.5) with { ImpEpochs = 1, ImpTrajectory = folder, FinetuneLr = 0.05f };
        using var data = Data(options);
        var selection = Select("imp", dense, options, data);

        long total = PrunableWeights.Of(dense).Sum(w => (long)w.Size);
        Assert.Equal(GlobalSelection.RemovedCount(0.5, total), Removed(selection.Masks.Values));
        AssertUnchanged(before, dense); // rewound: the dense values, batch-norm statistics included

        // Rounds 1–3 (0.8, 0.64, 0.512) were retrained and saved; round 4 lands on 0.5 and is the selection.
        IReadOnlyDictionary<string, float[]>? previous = null;
        for (int round = 1; round <= 3; round++)
        {
            var (masks, _) = WeightMasks.Read(Path.Combine(folder, $"round-{round}.safetensors"));
            Assert.Equal(GlobalSelection.RemovedCount(1 - Math.Pow(0.8, round), total), Removed(masks.Values));
            if (previous is not null) AssertNested(previous, masks);
            previous = masks;
        }
        Assert.False(File.Exists(Path.Combine(folder, "round-4.safetensors")));
        AssertNested(previous!, selection.Masks);

        // The retrained weights differ from the rewound ones, so the later rounds ranked by trained magnitudes.
        Assert.NotEqual(0, RetrainedDifference(folder, dense));

        // A run at another density reuses the shared rounds and gives the same trajectory.
        using var again = ResNet20();
        var at64 = Select("imp", again, options with { Budget = new SparseCore.Pass.Pipeline.PruneBudget(SparseCore.Pass.Pipeline.BudgetKind.Sparsity, 0.36) }, data);
        var (round2, _) = WeightMasks.Read(Path.Combine(folder, "round-2.safetensors"));
        Assert.Equal(round2, at64.Masks);
    }

    [Fact]
    public void A_trajectory_made_with_other_settings_is_refused()
    {
        using var dense = ResNet20();
        var options = Options("imp", 0.3) with { ImpEpochs = 1, ImpTrajectory = folder };
        using var data = Data(options);
        Select("imp", dense, options, data);
        using var other = ResNet20();
        var e = Assert.Throws<ArgumentException>(() => Select("imp", other, options with { ImpEpochs = 2 }, data));
        Assert.Contains("imp.imp_epochs", e.Message);
    }

    private static void AssertNested(IReadOnlyDictionary<string, float[]> outer, IReadOnlyDictionary<string, float[]> inner)
    {
        foreach (var (name, mask) in inner)
            for (int i = 0; i < mask.Length; i++)
                if (mask[i] == 1f) Assert.Equal(1f, outer[name][i]);
    }

    private static double RetrainedDifference(string folder, SparseCore.Models.Modules.Module dense)
    {
        using var copy = ResNet20();
        Models.IO.Checkpoint.Load(Path.Combine(folder, "round-1.safetensors"), copy);
        var (masks, _) = WeightMasks.Read(Path.Combine(folder, "round-1.safetensors"));
        var a = copy.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        double diff = 0;
        foreach (var (name, p) in dense.NamedParameters())
        {
            if (!masks.TryGetValue(name, out var m)) continue;
            var v = p.Value.ToArray();
            for (int i = 0; i < v.Length; i++) diff += Math.Abs(a[name][i] - v[i] * m[i]);
        }
        return diff;
    }
}
