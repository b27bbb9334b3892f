//! Sample data for a trial render of every page when a theme is loaded: a template that
//! fails on it would fail for readers, so the theme is refused before it is served.

use minijinja::{context, Value};

pub fn pages() -> Vec<(&'static str, Value)> {
    let site = context! { name => "示范医院", host => "news.example.cn" };
    let channels = vec![context! { id => 1, slug => "news", name => "医院要闻" }, context! { id => 2, slug => "photos", name => "图片新闻" }];
    let reader = context! { font => "m", elder => false };
    let seo = context! { title => "标题", description => "描述", canonical => "https://news.example.cn/", og_type => "website", image => "https://news.example.cn/media/1.jpg", feed => "/feed.xml", feed_title => "示范医院" };
    let card = context! { id => 1, title => "骨科举办义诊", published_at => 1_795_483_800, cover_url => "/media/1.jpg" };
    let article = context! {
        id => 1, channel_id => 1, channel_slug => "news", channel_name => "医院要闻", title => "骨科举办义诊", subtitle => "副标题",
        authors => "陈骨科", photographers => "吴凡", body_html => Value::from_safe_string("<p>正文</p>".into()), source => "骨科",
        editor => "王编辑", responsible_editor => "赵总编", published_at => 1_795_483_800, view_count => 3, retracted => false,
    };
    let neighbour = context! { url => "/news/2.html", title => "另一篇" };
    let common = |extra: Value| context! { site => site.clone(), channels => channels.clone(), reader => reader.clone(), seo => seo.clone(), here => "/", ..extra };
    vec![
        ("home.html", common(context! { blocks => vec![context! { channel => channels[0].clone(), articles => vec![card.clone()] }], pictures => vec![card.clone(), card.clone()], pictures_channel => channels[0].clone() })),
        ("channel.html", common(context! { current => channels[0].clone(), articles => vec![card.clone()], photo_grid => false, page => 1, pages => 2, page_label => "第 1 / 2 页", next_url => "/channel/news?page=2" })),
        ("channel.html", common(context! { current => channels[1].clone(), articles => vec![card.clone()], photo_grid => true, page => 2, pages => 2, page_label => "第 2 / 2 页", prev_url => "/channel/photos" })),
        (
            "article.html",
            common(context! {
                current => channels[0].clone(), article, views => 4, summary => "摘要",
                gallery => vec![context! { url => "/media/2.jpg", caption => "现场" }],
                attachments => vec![context! { url => "/media/3.pdf", file_name => "通知.pdf" }],
                corrections => vec![context! { at => 1_795_570_200, reason => "更正第二段中的科室名称" }],
                qr => Value::from_safe_string("<svg></svg>".into()), previous => neighbour.clone(), next => neighbour,
                related => vec![context! { url => "/news/3.html", title => "相关", published_at => 1_795_483_800 }], word => "/news/1.docx",
            }),
        ),
        ("notice.html", common(context! { heading => "页面不存在", message => "您访问的页面不存在。" })),
        (
            "search.html",
            common(context! {
                q => "骨科", channel => "news", from => "2026-01-01", to => "2026-12-31", problem => Value::from(()), total => 1, page => 1, pages => 1, first => 1,
                page_link => "/search?q=%E9%AA%A8%E7%A7%91&page=", noindex => true,
                hits => vec![context! { id => 1, channel_id => 1, channel_name => "医院要闻", published_at => 1_795_483_800, title_html => Value::from_safe_string("<mark>骨科</mark>".into()), snippet_html => Value::from_safe_string("…".into()) }],
            }),
        ),
    ]
}
