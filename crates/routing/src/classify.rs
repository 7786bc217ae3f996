//! What is it? Chinese text to duty items: jieba segmentation with a domain dictionary, word and
//! character-bigram features, a multinomial naive Bayes model, and a temperature that turns its
//! scores into calibrated probabilities (fitted on out-of-fold predictions).

use jieba_rs::Jieba;
use std::collections::HashMap;
use std::sync::Arc;

/// Words of 接诉即办 the general dictionary splits wrongly or does not know.
pub const DOMAIN_WORDS: &[&str] = &[
    "接诉即办",
    "吹哨报到",
    "未诉先办",
    "每月一题",
    "违建",
    "违法建设",
    "私搭乱建",
    "群租房",
    "煤改电",
    "飞线充电",
    "占道经营",
    "小广告",
    "牛皮癣",
    "开锁广告",
    "油烟",
    "扰民",
    "渣土车",
    "遗撒",
    "楼道灯",
    "下水道",
    "化粪池",
    "返味",
    "跑冒滴漏",
    "暖气不热",
    "供暖",
    "停水",
    "停电",
    "燃气",
    "共享单车",
    "电动自行车",
    "僵尸车",
    "垃圾分类",
    "背街小巷",
    "老旧小区",
    "加装电梯",
    "物业费",
    "拖欠工资",
    "欠薪",
    "低保",
    "养老驿站",
    "助餐",
    "健身器材",
    "井盖",
    "路灯",
    "树木修剪",
    "门头牌匾",
    "街巷长",
    "网格员",
    "社区专员",
    "停车位",
    "地锁",
    "消防通道",
];

const STOPWORDS: &[&str] = &[
    "的", "了", "在", "是", "我", "有", "和", "就", "不", "人", "都", "一", "一个", "上", "也", "很", "到", "说", "要",
    "去", "你", "会", "着", "没有", "看", "好", "自己", "这", "那", "吗", "啊", "呢", "吧", "还", "请", "希望", "谢谢",
    "您好", "你好", "我们", "他们", "反映", "问题", "市民", "来电", "这个", "那个", "现在", "已经", "因为", "所以",
    "但是", "而且", "非常", "什么", "怎么", "一下", "一直", "可以", "能", "对", "被", "把", "给", "让",
];

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Splits text into the features the model reads.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
}

impl Segmenter {
    /// The general dictionary plus the domain's words and `extra` (e.g. the catalog's keywords).
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Segmenter {
        let mut jieba = Jieba::new();
        for w in DOMAIN_WORDS.iter().copied().chain(extra) {
            let w = w.trim();
            if w.chars().count() >= 2 && !w.contains(char::is_whitespace) {
                jieba.add_word(w, Some(2000), None);
            }
        }
        Segmenter { jieba: Arc::new(jieba) }
    }

    /// Words (without stopwords, punctuation and numbers), and the characters and character
    /// bigrams of the Chinese text, which catch words the dictionary splits differently.
    pub fn features(&self, text: &str) -> Vec<String> {
        let text: String = text.chars().map(|c| if c.is_ascii() { c.to_ascii_lowercase() } else { c }).collect();
        let mut out = Vec::with_capacity(text.len());
        for w in self.jieba.cut(&text, true) {
            let w = w.trim();
            if w.is_empty() || STOPWORDS.contains(&w) || !w.chars().any(|c| is_cjk(c) || c.is_ascii_alphabetic()) {
                continue;
            }
            out.push(format!("w:{w}"));
        }
        let chars: Vec<char> = text.chars().filter(|c| is_cjk(*c)).collect();
        for pair in chars.windows(2) {
            out.push(format!("b:{}{}", pair[0], pair[1]));
        }
        // Single characters carry much of a short complaint's meaning (灯, 水, 暖, 摊).
        for c in &chars {
            out.push(format!("u:{c}"));
        }
        out
    }
}

/// One labelled text for training.
#[derive(Debug, Clone)]
pub struct TrainingDoc {
    pub label: String,
    pub text: String,
    /// How much the document counts (a catalog item's name more than one resident's words).
    pub weight: f32,
}

/// A label with its probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub label: String,
    pub probability: f64,
}

/// Multinomial naive Bayes over word and bigram counts.
#[derive(Clone)]
pub struct Classifier {
    segmenter: Segmenter,
    labels: Vec<String>,
    log_prior: Vec<f64>,
    index: HashMap<String, u32>,
    /// log P(feature | label), feature-major: `lik[f * labels + l]`.
    lik: Vec<f32>,
    /// Divides the log posterior before the softmax; fitted so probabilities are calibrated.
    temperature: f64,
    docs: usize,
}

/// Additive smoothing of feature counts.
const ALPHA: f64 = 0.2;

struct Counts {
    labels: Vec<String>,
    index: HashMap<String, u32>,
    /// Per document: label index, weight, feature indices.
    docs: Vec<(usize, f32, Vec<u32>)>,
}

fn count(segmenter: &Segmenter, docs: &[TrainingDoc]) -> Counts {
    let mut labels: Vec<String> = docs.iter().map(|d| d.label.clone()).collect();
    labels.sort();
    labels.dedup();
    let label_of: HashMap<&str, usize> = labels.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
    let mut index: HashMap<String, u32> = HashMap::new();
    let docs = docs
        .iter()
        .map(|d| {
            let feats = segmenter
                .features(&d.text)
                .into_iter()
                .map(|f| {
                    let n = index.len() as u32;
                    *index.entry(f).or_insert(n)
                })
                .collect();
            (label_of[d.label.as_str()], d.weight, feats)
        })
        .collect();
    Counts { labels, index, docs }
}

/// Fits priors and likelihoods on the documents whose position passes `keep`.
fn fit(c: &Counts, keep: impl Fn(usize) -> bool) -> (Vec<f64>, Vec<f32>) {
    let (nl, nf) = (c.labels.len(), c.index.len());
    let mut label_weight = vec![0.0f64; nl];
    let mut feat = vec![0.0f64; nf * nl];
    let mut total = vec![0.0f64; nl];
    for (i, (l, w, fs)) in c.docs.iter().enumerate() {
        if !keep(i) {
            continue;
        }
        label_weight[*l] += f64::from(*w);
        for f in fs {
            feat[*f as usize * nl + l] += f64::from(*w);
            total[*l] += f64::from(*w);
        }
    }
    let all: f64 = label_weight.iter().sum::<f64>().max(1.0);
    // Priors are flattened (square root) so a frequent matter does not drown a rare one.
    let raw: Vec<f64> = label_weight.iter().map(|w| (w + 1.0).sqrt()).collect();
    let norm: f64 = raw.iter().sum();
    let log_prior = raw.iter().map(|r| (r / norm).ln()).collect();
    let _ = all;
    let mut lik = vec![0.0f32; nf * nl];
    for f in 0..nf {
        for l in 0..nl {
            let p = (feat[f * nl + l] + ALPHA) / (total[l] + ALPHA * nf as f64);
            lik[f * nl + l] = p.ln() as f32;
        }
    }
    (log_prior, lik)
}

fn scores(log_prior: &[f64], lik: &[f32], feats: &[u32]) -> Vec<f64> {
    let nl = log_prior.len();
    let mut s = log_prior.to_vec();
    for f in feats {
        let row = &lik[*f as usize * nl..(*f as usize + 1) * nl];
        for (acc, v) in s.iter_mut().zip(row) {
            *acc += f64::from(*v);
        }
    }
    s
}

fn softmax(s: &[f64], temperature: f64) -> Vec<f64> {
    let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = s.iter().map(|x| ((x - max) / temperature).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.into_iter().map(|x| x / sum).collect()
}

impl Classifier {
    /// Trains on `docs`, then fits the temperature by 5-fold cross-validation: each document is
    /// scored by a model that did not see it, and the temperature minimising the log loss of
    /// those scores is kept.
    pub fn train(segmenter: Segmenter, docs: &[TrainingDoc]) -> Classifier {
        let c = count(&segmenter, docs);
        let folds = 5;
        let mut held: Vec<(Vec<f64>, usize)> = vec![];
        if c.docs.len() >= folds * 2 {
            for k in 0..folds {
                let (prior, lik) = fit(&c, |i| i % folds != k);
                for (i, (l, _, fs)) in c.docs.iter().enumerate().filter(|(i, _)| i % folds == k) {
                    let _ = i;
                    held.push((scores(&prior, &lik, fs), *l));
                }
            }
        }
        let loss = |t: f64| -> f64 {
            held.iter().map(|(s, l)| -(softmax(s, t)[*l].max(1e-12)).ln()).sum::<f64>() / held.len().max(1) as f64
        };
        let temperature = if held.is_empty() {
            1.0
        } else {
            (0..=60)
                .map(|i| 10f64.powf(-0.5 + i as f64 * 0.05))
                .min_by(|a, b| loss(*a).total_cmp(&loss(*b)))
                .unwrap_or(1.0)
        };
        let (log_prior, lik) = fit(&c, |_| true);
        Classifier { segmenter, labels: c.labels, log_prior, index: c.index, lik, temperature, docs: docs.len() }
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// How many documents it was trained on.
    pub fn trained_on(&self) -> usize {
        self.docs
    }

    /// The `k` most probable labels, most probable first.
    pub fn rank(&self, text: &str, k: usize) -> Vec<Scored> {
        if self.labels.is_empty() {
            return vec![];
        }
        let feats: Vec<u32> =
            self.segmenter.features(text).iter().filter_map(|f| self.index.get(f.as_str()).copied()).collect();
        let probs = softmax(&scores(&self.log_prior, &self.lik, &feats), self.temperature);
        let mut ranked: Vec<(usize, f64)> = probs.into_iter().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().take(k).map(|(i, p)| Scored { label: self.labels[i].clone(), probability: p }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(label: &str, text: &str) -> TrainingDoc {
        TrainingDoc { label: label.into(), text: text.into(), weight: 1.0 }
    }

    #[test]
    fn domain_words_stay_whole_and_bigrams_are_added() {
        let s = Segmenter::new(["摆摊设点"]);
        let f = s.features("楼下有人飞线充电，还有人摆摊设点！");
        assert!(f.contains(&"w:飞线充电".to_string()), "{f:?}");
        assert!(f.contains(&"w:摆摊设点".to_string()), "{f:?}");
        assert!(f.contains(&"b:充电".to_string()));
        assert!(!f.iter().any(|x| x == "w:，" || x == "w:有"), "{f:?}");
    }

    #[test]
    fn it_learns_matters_and_gives_calibrated_probabilities() {
        let mut docs = vec![];
        for _ in 0..3 {
            docs.extend([
                doc("C-031", "路口有人摆摊占道经营"),
                doc("C-031", "小贩占道卖水果堵路"),
                doc("C-031", "早市摊位占用人行道"),
                doc("C-020", "楼道灯坏了晚上看不见"),
                doc("C-020", "单元门口路灯不亮"),
                doc("C-020", "楼道里的灯一直不亮"),
                doc("C-050", "暖气不热屋里冷"),
                doc("C-050", "供暖温度不达标"),
                doc("C-050", "家里暖气片冰凉"),
            ]);
        }
        let c = Classifier::train(Segmenter::new([]), &docs);
        let top = c.rank("十字坡路口有人摆摊占道经营，晚上还很吵", 3);
        assert_eq!(top[0].label, "C-031");
        assert!(top[0].probability > 0.5, "{top:?}");
        let sum: f64 = c.rank("随便说点什么", 3).iter().map(|s| s.probability).sum();
        assert!((sum - 1.0).abs() < 1e-9, "three labels, all probability");
        assert!(c.temperature() > 0.0);
        assert_eq!(c.rank("暖气片不热", 1)[0].label, "C-050");
    }
}
