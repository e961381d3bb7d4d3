using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Search;
using SparseCore.Tensors;

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
        void Steps(int n) { for (int i = 0; i < n; i++) { batches.MoveNext(); search.Step(batches.Current); } }

        Steps(10);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var pool = cpu.Pool;
        (int live, long bytes, long raw, long heap) before = (pool.LiveBuffers, pool.LiveBytes, pool.RawAllocations, GC.GetTotalMemory(true));
        Steps(60);
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long heapAfter = GC.GetTotalMemory(true);

        Assert.Equal(before.live, pool.LiveBuffers);
        Assert.Equal(before.bytes, pool.LiveBytes);
        Assert.Equal(before.raw, pool.RawAllocations);
        Assert.Equal(0, Autograd.TapeLength);
        Assert.True(heapAfter - before.heap < 256 * 1024, $"managed heap grew by {heapAfter - before.heap} bytes over 60 steps");
    }
}
