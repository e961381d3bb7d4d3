using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Tests.Unstructured;

public sealed class ScoreSearchTests : IDisposable
{
    private readonly CpuBackend cpu = new();

    public void Dispose() => cpu.Dispose();

    private sealed class Kit : IDisposable
    {
        public Kit(CpuBackend cpu, bool paired)
        {
            Net = ModelZoo.Create("resnet20", new ModuleInit(cpu, 4), 1, 12, 12, 10);
            Prompt = PromptSpec.Create("pad:2", new ModuleInit(cpu, 5), 1, 12, 12)!;
            Scored = new ScoredWeights(Net, 0.8);
            Search = new ScoreSearch(Net, Scored, Prompt, null, new ScoreSearchOptions { Epochs = 1, Paired = paired, LearningRate = 1e-2f });
            Data = SyntheticDataset.Create(128, 1, 12, 12, 10, seed: 1);
        }

        public Module Net { get; }
        public VisualPrompt Prompt { get; }
        public ScoredWeights Scored { get; }
        public ScoreSearch Search { get; }
        public ImageDataset Data { get; }

        public void Dispose()
        {
            Search.Dispose();
            Scored.Dispose();
            Prompt.Dispose();
            Net.Dispose();
        }
    }

    [Fact]
    public void Only_scores_and_prompt_train_the_prompt_only_on_prompted_steps_and_the_cut_stays_exact()
    {
        using var kit = new Kit(cpu, paired: true);
        var weights = kit.Net.Parameters().Select(p => p.Value.ToArray()).ToArray();
        var scores = kit.Scored.Scores.Select(p => p.Value.ToArray()).ToArray();
        using var loader = new DataLoader(kit.Data, 16, shuffle: true, seed: 1);
        var batch = loader.Epoch(0).First();

        kit.Search.Step(batch, step: 1); // unprompted: the prompt has no gradient, so its optimizer skips it
        Assert.All(kit.Prompt.Prompt.Value.ToArray(), v => Assert.Equal(0f, v));
        kit.Search.Step(batch, step: 0); // prompted
        Assert.Contains(kit.Prompt.Prompt.Value.ToArray(), v => v != 0f);

        Assert.Equal(weights, kit.Net.Parameters().Select(p => p.Value.ToArray()).ToArray()); // weights, γ and β frozen
        Assert.NotEqual(scores, kit.Scored.Scores.Select(p => p.Value.ToArray()).ToArray());
        kit.Scored.Recompute();
        long total = kit.Scored.Scores.Sum(p => (long)p.Value.Size);
        Assert.Equal(total - kit.Scored.Removed, kit.Scored.Masks().Values.Sum(m => (long)m.Count(v => v == 1f)));
    }

    [Fact]
    public void Batch_norm_statistics_follow_the_masked_network_in_stage_1()
    {
        using var kit = new Kit(cpu, paired: false);
        var before = kit.Net.NamedBuffers().Where(b => b.Name.EndsWith("running_mean", StringComparison.Ordinal)).Select(b => b.Buffer.ToArray()).ToArray();
        using var loader = new DataLoader(kit.Data, 16, shuffle: true, seed: 1);
        kit.Search.Step(loader.Epoch(0).First(), 0);
        var after = kit.Net.NamedBuffers().Where(b => b.Name.EndsWith("running_mean", StringComparison.Ordinal)).Select(b => b.Buffer.ToArray()).ToArray();
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Two_hundred_stage_1_steps_leave_buffers_tape_and_heap_flat()
    {
        using var kit = new Kit(cpu, paired: true);
        using var loader = new DataLoader(kit.Data, 16, shuffle: true, seed: 1);
        IEnumerable<Batch> Batches()
        {
            for (int epoch = 0; ; epoch++)
                foreach (var b in loader.Epoch(epoch)) yield return b;
        }
        using var stream = Batches().GetEnumerator();
        int step = 0;
        MemoryFlatness.Check(cpu, () => { stream.MoveNext(); kit.Search.Step(stream.Current, step++); }, warmUp: 20, measured: 200);
    }
}
