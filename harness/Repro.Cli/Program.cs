using TorchSharp;
using static TorchSharp.torch;
var t = ones(3, 3) * 2;
Console.WriteLine(t.sum().item<float>());
var m = torchvision.models.resnet18(num_classes: 10);
var x = randn(64, 3, 64, 64);
var opt = optim.SGD(m.parameters(), 0.1);
for (int i = 0; i < 4; i++) {
  var sw = System.Diagnostics.Stopwatch.StartNew();
  opt.zero_grad(); var loss = nn.functional.cross_entropy(m.call(x), zeros(64, dtype: int64)); loss.backward(); opt.step();
  Console.WriteLine($"step {sw.ElapsedMilliseconds} ms, threads {torch.get_num_threads()}");
}
