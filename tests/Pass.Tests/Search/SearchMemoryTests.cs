using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Search;

namespace SparseCore.Pass.Tests.Search;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SearchMemoryCollection
{
    public const string Name = "stage-1 memory measurements";
}

/// <summary>Stage-1 steps (hypernetwork, masks, hooks, masked forward and backward) leave device buffers, tape and heap flat.</summary>
[Collection(SearchMemoryCollection.Name)]
public class SearchMemoryTests
{
    [Fact]
    public void Stage_one_steps_after_warm_up_leave_buffers_tape_and_heap_flat()
    {
        const int side = 12;
        using var cpu = new CpuBackend();
        using var model = new PromptedModel(new PadPrompt(new ModuleInit(cpu, 1), 1, side, side),
            ModelZoo.Create("resnet20", new ModuleInit(cpu, 2), 1, side, side, 10));
        var graph = ChannelGraph.Of(model);
        using var hyper = new ChannelHypernetwork(new ModuleInit(cpu, 3), model, graph, 1);
        using var search = new PassSearch(model, hyper, new ChannelBudget(graph, 0.5), new SearchOptions());
        using var loader = new DataLoader(SyntheticDataset.Create(64, 1, side, side, 10, seed: 4), 16, shuffle: true, seed: 5);
        var batches = Enumerable.Range(0, 1000).SelectMany(loader.Epoch).GetEnumerator();
        MemoryFlatness.Check(cpu, () => { batches.MoveNext(); search.Step(batches.Current); }, warmUp: 10, measured: 60);
    }
}
