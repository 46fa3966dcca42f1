//! Reference test for `porter.rs`: 298 words stemmed by NLTK 3.10.4's
//! `PorterStemmer()` (default NLTK_EXTENSIONS mode, the one `rouge_score` uses), produced by:
//!
//! ```python
//! from nltk.stem.porter import PorterStemmer
//! WORDS = """caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled
//! sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational
//! valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization
//! predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti
//! triplicate formative formalize electriciti electrical hopeful goodness revival allowance inference
//! airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption homologou
//! communism activate angulariti homologous effective bowdlerize probate rate cease controll roll running
//! generously happily skies dying lying tying news innings outings cannings howe proceed exceed succeed
//! spied tried flies cried enjoy enjoyment spy fly try generalization generalizations oscillators
//! universities universal university knightly knights abilities ability nationality national nationalism
//! possibly possible responsibilities beautiful beautifully wonderful wonderfully quickly authors authored
//! authorship novels novelist novelists wrote written writing writes published publishing publisher
//! publication born birthplace birthday awarded award awards awarding received receiving receives genre
//! genres fiction fictional mystery mysteries romance romantic historical history histories biography
//! biographical parents father mother daughter children childhood inspired inspiration inspiring influences
//! influenced influential themes thematic explores exploring exploration characters characterized
//! characterization literary literature languages translated translation international nationally
//! recognition recognized years yearly including included includes knowing knowledge y yy ay syzygy toy boy
//! eed ied ies feeds bleed agreement alli logi archaeology analogies fulli hopefully carefully abli e ee a
//! is as us sss yes eyes yyyyy ayyyy deny denied denies crying played playing plays yellow beyond singing
//! meeting meetings agreeing feeling seeing freed needed speed exceeded proceeding succeeded weakly
//! electrically ownership hopelessness realized organization organisations internationalization 1990s
//! covid19 caring cared hoped hoping hopped filling filed sizing rolling controlling controlled tanning
//! ringing bring thing things nothing anything feet geese matrices indices analyses phenomena sheep apply
//! applied applies application applicable dogs ashes dresses classes glasses skiing skis dies lies ties
//! news's oed bye""".split()
//! p = PorterStemmer()
//! print([(w, p.stem(w)) for w in WORDS])
//! ```

use super::stem;

#[test]
fn matches_nltk_porter_stemmer() {
    for &(word, want) in NLTK_STEMS {
        assert_eq!(stem(word), want, "stem({word})");
    }
}

#[rustfmt::skip]
const NLTK_STEMS: &[(&str, &str)] = &[
    ("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"), ("caress", "caress"), ("cats", "cat"),
    ("feed", "feed"), ("agreed", "agre"), ("plastered", "plaster"), ("bled", "bled"), ("motoring", "motor"),
    ("sing", "sing"), ("conflated", "conflat"), ("troubled", "troubl"), ("sized", "size"), ("hopping", "hop"),
    ("tanned", "tan"), ("falling", "fall"), ("hissing", "hiss"), ("fizzed", "fizz"), ("failing", "fail"),
    ("filing", "file"), ("happy", "happi"), ("sky", "sky"), ("relational", "relat"), ("conditional", "condit"),
    ("rational", "ration"), ("valenci", "valenc"), ("hesitanci", "hesit"), ("digitizer", "digit"), ("conformabli", "conform"),
    ("radicalli", "radic"), ("differentli", "differ"), ("vileli", "vile"), ("analogousli", "analog"), ("vietnamization", "vietnam"),
    ("predication", "predic"), ("operator", "oper"), ("feudalism", "feudal"), ("decisiveness", "decis"), ("hopefulness", "hope"),
    ("callousness", "callous"), ("formaliti", "formal"), ("sensitiviti", "sensit"), ("sensibiliti", "sensibl"), ("triplicate", "triplic"),
    ("formative", "form"), ("formalize", "formal"), ("electriciti", "electr"), ("electrical", "electr"), ("hopeful", "hope"),
    ("goodness", "good"), ("revival", "reviv"), ("allowance", "allow"), ("inference", "infer"), ("airliner", "airlin"),
    ("gyroscopic", "gyroscop"), ("adjustable", "adjust"), ("defensible", "defens"), ("irritant", "irrit"), ("replacement", "replac"),
    ("adjustment", "adjust"), ("dependent", "depend"), ("adoption", "adopt"), ("homologou", "homolog"), ("communism", "commun"),
    ("activate", "activ"), ("angulariti", "angular"), ("homologous", "homolog"), ("effective", "effect"), ("bowdlerize", "bowdler"),
    ("probate", "probat"), ("rate", "rate"), ("cease", "ceas"), ("controll", "control"), ("roll", "roll"),
    ("running", "run"), ("generously", "gener"), ("happily", "happili"), ("skies", "sky"), ("dying", "die"),
    ("lying", "lie"), ("tying", "tie"), ("news", "news"), ("innings", "inning"), ("outings", "outing"),
    ("cannings", "canning"), ("howe", "howe"), ("proceed", "proceed"), ("exceed", "exceed"), ("succeed", "succeed"),
    ("spied", "spi"), ("tried", "tri"), ("flies", "fli"), ("cried", "cri"), ("enjoy", "enjoy"),
    ("enjoyment", "enjoy"), ("spy", "spi"), ("fly", "fli"), ("try", "tri"), ("generalization", "gener"),
    ("generalizations", "gener"), ("oscillators", "oscil"), ("universities", "univers"), ("universal", "univers"), ("university", "univers"),
    ("knightly", "knightli"), ("knights", "knight"), ("abilities", "abil"), ("ability", "abil"), ("nationality", "nation"),
    ("national", "nation"), ("nationalism", "nation"), ("possibly", "possibl"), ("possible", "possibl"), ("responsibilities", "respons"),
    ("beautiful", "beauti"), ("beautifully", "beauti"), ("wonderful", "wonder"), ("wonderfully", "wonder"), ("quickly", "quickli"),
    ("authors", "author"), ("authored", "author"), ("authorship", "authorship"), ("novels", "novel"), ("novelist", "novelist"),
    ("novelists", "novelist"), ("wrote", "wrote"), ("written", "written"), ("writing", "write"), ("writes", "write"),
    ("published", "publish"), ("publishing", "publish"), ("publisher", "publish"), ("publication", "public"), ("born", "born"),
    ("birthplace", "birthplac"), ("birthday", "birthday"), ("awarded", "award"), ("award", "award"), ("awards", "award"),
    ("awarding", "award"), ("received", "receiv"), ("receiving", "receiv"), ("receives", "receiv"), ("genre", "genr"),
    ("genres", "genr"), ("fiction", "fiction"), ("fictional", "fiction"), ("mystery", "mysteri"), ("mysteries", "mysteri"),
    ("romance", "romanc"), ("romantic", "romant"), ("historical", "histor"), ("history", "histori"), ("histories", "histori"),
    ("biography", "biographi"), ("biographical", "biograph"), ("parents", "parent"), ("father", "father"), ("mother", "mother"),
    ("daughter", "daughter"), ("children", "children"), ("childhood", "childhood"), ("inspired", "inspir"), ("inspiration", "inspir"),
    ("inspiring", "inspir"), ("influences", "influenc"), ("influenced", "influenc"), ("influential", "influenti"), ("themes", "theme"),
    ("thematic", "themat"), ("explores", "explor"), ("exploring", "explor"), ("exploration", "explor"), ("characters", "charact"),
    ("characterized", "character"), ("characterization", "character"), ("literary", "literari"), ("literature", "literatur"), ("languages", "languag"),
    ("translated", "translat"), ("translation", "translat"), ("international", "intern"), ("nationally", "nation"), ("recognition", "recognit"),
    ("recognized", "recogn"), ("years", "year"), ("yearly", "yearli"), ("including", "includ"), ("included", "includ"),
    ("includes", "includ"), ("knowing", "know"), ("knowledge", "knowledg"), ("y", "y"), ("yy", "yy"),
    ("ay", "ay"), ("syzygy", "syzygi"), ("toy", "toy"), ("boy", "boy"), ("eed", "eed"),
    ("ied", "i"), ("ies", "i"), ("feeds", "feed"), ("bleed", "bleed"), ("agreement", "agreement"),
    ("alli", "alli"), ("logi", "logi"), ("archaeology", "archaeolog"), ("analogies", "analog"), ("fulli", "fulli"),
    ("hopefully", "hope"), ("carefully", "care"), ("abli", "abli"), ("e", "e"), ("ee", "ee"),
    ("a", "a"), ("is", "is"), ("as", "as"), ("us", "us"), ("sss", "sss"),
    ("yes", "ye"), ("eyes", "eye"), ("yyyyy", "yyyyy"), ("ayyyy", "ayyyi"), ("deny", "deni"),
    ("denied", "deni"), ("denies", "deni"), ("crying", "cri"), ("played", "play"), ("playing", "play"),
    ("plays", "play"), ("yellow", "yellow"), ("beyond", "beyond"), ("singing", "sing"), ("meeting", "meet"),
    ("meetings", "meet"), ("agreeing", "agre"), ("feeling", "feel"), ("seeing", "see"), ("freed", "freed"),
    ("needed", "need"), ("speed", "speed"), ("exceeded", "exceed"), ("proceeding", "proceed"), ("succeeded", "succeed"),
    ("weakly", "weakli"), ("electrically", "electr"), ("ownership", "ownership"), ("hopelessness", "hopeless"), ("realized", "realiz"),
    ("organization", "organ"), ("organisations", "organis"), ("internationalization", "internation"), ("1990s", "1990"), ("covid19", "covid19"),
    ("caring", "care"), ("cared", "care"), ("hoped", "hope"), ("hoping", "hope"), ("hopped", "hop"),
    ("filling", "fill"), ("filed", "file"), ("sizing", "size"), ("rolling", "roll"), ("controlling", "control"),
    ("controlled", "control"), ("tanning", "tan"), ("ringing", "ring"), ("bring", "bring"), ("thing", "thing"),
    ("things", "thing"), ("nothing", "noth"), ("anything", "anyth"), ("feet", "feet"), ("geese", "gees"),
    ("matrices", "matric"), ("indices", "indic"), ("analyses", "analys"), ("phenomena", "phenomena"), ("sheep", "sheep"),
    ("apply", "appli"), ("applied", "appli"), ("applies", "appli"), ("application", "applic"), ("applicable", "applic"),
    ("dogs", "dog"), ("ashes", "ash"), ("dresses", "dress"), ("classes", "class"), ("glasses", "glass"),
    ("skiing", "ski"), ("skis", "ski"), ("dies", "die"), ("lies", "lie"), ("ties", "tie"),
    ("news's", "news'"), ("oed", "o"), ("bye", "bye"),
];
