namespace SparseCore.Cli.Tests;

/// <summary>
/// `gpu-check` end to end on a machine without a GPU: it says no CUDA device was found, falls back
/// to the small shapes on ILGPU's CPU simulator, and writes every section into the results file.
/// The self-test section is left out here only for time (KernelSelfTest has its own simulator
/// tests in Kernels.Tests); every other section runs.
/// </summary>
public sealed class GpuCheckCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("gpu-check-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Without_a_gpu_it_runs_every_section_small_on_the_simulator_and_writes_one_file()
    {
        string output = Path.Combine(folder, "results.md"), ptx = Path.Combine(folder, "ptx");
        var (exit, stdout, error) = CliRunner.Run("gpu-check", "--small", "--output", output, "--ptx-dir", ptx,
            "--sections", "device,resources,gemm,conv,bandwidth,step");
        Assert.True(exit == 0, stdout + error);
        Assert.Contains("no CUDA device found", stdout);
        string results = File.ReadAllText(output);
        foreach (var heading in new[] { "## Device", "## Kernel resources", "## PTX", "## GEMM", "## Convolution", "## Batch-norm and reductions", "## Training step (mlp)" })
            Assert.Contains(heading, results);
        Assert.DoesNotContain("**failed**", results);
        Assert.Contains("cannot be read on this accelerator", results);
        Assert.Contains("| square TN | 67×65×33 |", results);
        Assert.Contains("host issue per entry point", results);
        Assert.Equal(Kernels.Ilgpu.IlgpuPtx.KernelNames.Count, Directory.GetFiles(ptx, "*.ptx").Length);
    }

    [Fact]
    public void An_unknown_section_is_a_one_line_error()
    {
        var (exit, _, error) = CliRunner.Run("gpu-check", "--sections", "gemm,warp-drive", "--output", Path.Combine(folder, "r.md"));
        Assert.Equal(2, exit);
        Assert.Contains("unknown section 'warp-drive'", error);
    }
}
