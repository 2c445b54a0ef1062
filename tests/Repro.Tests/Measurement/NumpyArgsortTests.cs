using System.Globalization;
using Repro.Config;
using Repro.Measurement.Localization;

namespace Repro.Tests.Measurement;

[Trait("Category", TestCategories.Unit)]
public class NumpyArgsortTests
{
    /// <summary>Arrays with many ties and numpy 1.24.2's np.argsort of each (generated once by numpy, checked in).</summary>
    public static TheoryData<double[], int[]> CheckedIn => new()
    {
        { [0.5, 0.25, 0.5, 0.5, 0.25], [1, 4, 0, 2, 3] },
        // 17 values: one quicksort partition, then insertion sort
        { [0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5, 0, 0.25, 0.5, 0, 0.5, 0, 0.25, 0.5, 0], [8, 13, 11, 5, 16, 3, 2, 4, 9, 14, 6, 7, 15, 10, 12, 1, 0] },
        { [0.25, 0, 0.5, 0, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.5], [1, 3, 0, 15, 10, 9, 16, 8, 6, 5, 7, 4, 11, 12, 13, 14, 2, 17] },
        {
            [0.25, 0, 0.75, 0, 0.75, 0.5, 0, 0, 0.25, 0, 0, 0.5, 0.75, 0.25, 0.75, 0.75, 0.75, 0.5, 0.25, 0.5, 0.25, 0.25, 0.25, 0, 0.75, 0, 0, 0, 0.75, 0.5, 0.75, 0, 0.5, 0.25, 0.25, 0, 0.5, 0.75, 0.5, 0],
            [39, 23, 25, 26, 27, 10, 9, 31, 6, 3, 35, 1, 7, 21, 33, 34, 22, 20, 0, 8, 18, 13, 38, 36, 5, 32, 11, 29, 17, 19, 28, 24, 30, 14, 15, 16, 4, 2, 37, 12]
        },
        // all tied, as an all-zero heatmap: far from the identity
        {
            new double[64],
            [0, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 33, 47, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 48, 32, 31, 30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 62, 63]
        },
        {
            [0.5, 1, 0, 0.75, 0.5, 0, 1, 1, 0.5, 1, 0.75, 1, 1, 0.5, 0.25, 0, 0.5, 0, 0.75, 1, 0.25, 0.5, 0, 0, 0.25, 1, 1, 0.75, 0.5, 0.5, 0, 0.25, 1, 0.5, 0.25, 0.25, 0.75, 0, 1, 1, 0.5, 0.5, 0.75, 0.5, 0.5, 0.25, 0.5, 0.75, 0, 0, 0.75, 0.25, 1, 0, 1, 0, 0.5, 1, 0, 0.75, 0.75, 0.5, 0, 0.5, 0.5, 1, 0.75, 0.25, 0, 0.5, 0.25, 0.75, 1, 0.25, 1, 0.5, 0.5, 0.75, 0.75, 1, 1, 0, 0.5, 1, 0.25, 0, 0.5, 0.75, 0.75, 1, 0.75, 0, 1, 0.5, 1, 1, 1, 0, 1, 0.75],
            [49, 62, 68, 58, 17, 30, 15, 55, 22, 81, 23, 37, 85, 5, 91, 48, 2, 97, 53, 34, 31, 51, 24, 35, 67, 73, 20, 70, 14, 84, 45, 46, 93, 86, 82, 64, 75, 56, 69, 61, 63, 76, 44, 0, 41, 40, 4, 28, 16, 43, 8, 29, 21, 33, 13, 42, 18, 78, 10, 87, 88, 90, 3, 77, 66, 71, 99, 36, 50, 59, 47, 27, 60, 95, 94, 6, 92, 39, 98, 89, 96, 38, 1, 7, 25, 83, 65, 80, 79, 54, 32, 11, 12, 74, 57, 72, 19, 26, 52, 9]
        },
        // McIlroy's median-of-3 adversary (64 values, then halved into ties): the depth limit runs out and a part is
        // heapsorted; quicksort to the end would order the ties differently
        {
            [0, 16, 1, 24, 2, 17, 3, 24, 4, 18, 5, 25, 6, 19, 7, 25, 8, 20, 9, 26, 10, 21, 11, 26, 12, 22, 13, 27, 14, 23, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 27, 28, 28, 29, 29, 30, 30, 31, 32],
            [0, 31, 2, 32, 4, 33, 6, 34, 8, 35, 10, 36, 12, 37, 14, 38, 16, 39, 18, 40, 20, 41, 22, 42, 24, 43, 26, 44, 45, 28, 30, 46, 1, 47, 48, 5, 9, 49, 13, 50, 17, 51, 52, 21, 53, 25, 54, 29, 7, 3, 15, 11, 23, 19, 55, 27, 56, 57, 59, 58, 61, 60, 62, 63]
        },
    };

    [Theory]
    [MemberData(nameof(CheckedIn))]
    public void The_order_is_numpys_on_checked_in_tied_arrays(double[] values, int[] numpyOrder) =>
        Assert.Equal(numpyOrder, NumpyArgsort.Quicksort(values));

    [Fact]
    public void Distinct_values_come_out_ascending_and_empty_or_single_arrays_are_fine()
    {
        Assert.Equal([2, 0, 3, 1], NumpyArgsort.Quicksort([3.0, 9, -1, 4]));
        Assert.Empty(NumpyArgsort.Quicksort([]));
        Assert.Equal([0], NumpyArgsort.Quicksort([5.0]));
    }

    /// <summary>Random arrays: lengths from 1 to 3000, 1 to 6 distinct values (heavy ties) or continuous ones.</summary>
    static List<double[]> RandomArrays(int count, int seed)
    {
        var random = new Random(seed);
        var arrays = new List<double[]>();
        for (var a = 0; a < count; a++)
        {
            var n = a < 40 ? a + 1 : random.Next(1, 3001);
            var levels = random.Next(0, 7);
            arrays.Add(Enumerable.Range(0, n).Select(_ => levels == 0 ? random.NextDouble() : random.Next(levels) / 4.0).ToArray());
        }
        return arrays;
    }

    static string Line(IEnumerable<double> values) => string.Join(' ', values.Select(NumpyReference.Text));

    [NumpyFact]
    public void The_order_is_numpys_on_random_tied_arrays()
    {
        var arrays = RandomArrays(400, seed: 11);
        var numpy = NumpyReference.Lines(
            "import sys, numpy as np\n" +
            "for line in sys.stdin:\n" +
            "    v = np.array([float(t) for t in line.split()], dtype=np.float64)\n" +
            "    print(' '.join(str(i) for i in np.argsort(v)))\n",
            arrays.Select(Line));
        Assert.Equal(arrays.Count, numpy.Length);
        for (var a = 0; a < arrays.Count; a++)
            Assert.True(numpy[a] == string.Join(' ', NumpyArgsort.Quicksort(arrays[a])),
                $"array {a} (length {arrays[a].Length}) is ordered differently from numpy's argsort");
    }

    [NumpyFact]
    public void Paper_RRA_and_RMA_equal_the_authors_numpy_arithmetic_on_random_tied_heatmaps()
    {
        var random = new Random(5);
        var cases = new List<(Heatmap Heatmap, ObjectMask Mask)>();
        for (var c = 0; c < 200; c++)
        {
            int height = random.Next(1, 40), width = random.Next(1, 40), levels = random.Next(1, 5);
            var values = Enumerable.Range(0, height * width).Select(_ => c % 10 == 0 ? 0f : random.Next(levels) * 0.3f).ToArray();
            var isObject = Enumerable.Range(0, height * width).Select(_ => random.Next(3) == 0).ToArray();
            isObject[random.Next(isObject.Length)] = true;
            cases.Add((new Heatmap(height, width, values), new ObjectMask(height, width, isObject)));
        }
        // float32 heatmap cast to float64, flattened row-major; argsort reversed; sums with sys.float_info.epsilon
        var numpy = NumpyReference.Lines(
            "import sys, numpy as np\n" +
            "for line in sys.stdin:\n" +
            "    h, w, hv, gv = line.split('|')\n" +
            "    heat = np.array([float(t) for t in hv.split()], dtype=np.float32).reshape(int(h), int(w)).astype(np.float64)\n" +
            "    gt = np.array([float(t) for t in gv.split()], dtype=np.float32).reshape(int(h), int(w))\n" +
            "    mass = np.sum(heat * np.where(gt, 1.0, 0.0)) / (np.sum(heat) + sys.float_info.epsilon)\n" +
            "    order = np.argsort(np.ravel(heat))[::-1]\n" +
            "    flat = np.ravel(gt)\n" +
            "    n = np.sum(flat) + sys.float_info.epsilon\n" +
            "    rank = 1.0 * np.sum(flat[order[:int(n)]]) / n\n" +
            "    print(repr(float(mass)), repr(float(rank)))\n",
            cases.Select(c => string.Create(CultureInfo.InvariantCulture,
                $"{c.Heatmap.Height}|{c.Heatmap.Width}|{Line(c.Heatmap.Values.Select(v => (double)v))}|{string.Join(' ', c.Mask.IsObject.Select(o => o ? 1 : 0))}")));
        var rma = new RelevanceMassAccuracy(Fidelity.Paper);
        var rra = new RelevanceRankAccuracy(Fidelity.Paper);
        for (var c = 0; c < cases.Count; c++)
        {
            var expected = numpy[c].Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(expected[1], rra.Score(cases[c].Heatmap, cases[c].Mask)!.Value);
            // numpy sums pairwise, the suite in order: equal up to rounding
            Assert.Equal(expected[0], rma.Score(cases[c].Heatmap, cases[c].Mask)!.Value, 1e-12);
        }
    }
}
