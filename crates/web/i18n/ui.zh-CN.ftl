# The web pages' words (Simplified Chinese, the default). Keys start with ui-; the shared
# catalog (zh-CN.ftl) holds labels of statuses, kinds, roles and the error messages.

## Layout
ui-product = 吹哨报到·接诉即办
ui-skip-to-content = 跳到正文
ui-lang-switch = 语言
ui-lang-zh = 中文
ui-lang-en = English
ui-logout = 退出登录
ui-nav-label = 主导航
ui-footer = 东城区接诉即办 · 居民个人信息仅用于办理诉求，显示时均已隐藏部分内容
ui-nav-home = 首页
ui-nav-submit = 提交诉求
ui-nav-track = 查询进度
ui-nav-login = 工作人员登录
ui-nav-my-requests = 我的诉求
ui-nav-my-work = 我的工作
ui-required = （必填）
ui-optional = （选填）
ui-form-has-errors = 请修改以下内容后再提交：

## Errors
ui-error-title = 出错了
ui-error-status = 错误代码 { $status }
ui-error-home = 返回首页
ui-error-not-found = 您要找的页面不存在。
ui-error-forbidden = 您没有权限访问此页面。
ui-error-method = 此页面不支持这种访问方式。
ui-error-too-large = 提交的内容过大（照片不能超过 10 MB）。
ui-error-bad-request = 提交的内容格式不正确，请返回重新填写。
ui-error-internal = 服务器出了问题，请稍后再试。
ui-error-csrf = 表单已失效或来源不明，内容没有保存。请返回、刷新页面后重新提交。

## Login
ui-login-title = 工作人员登录
ui-login-lead = 街道、部门和社区工作人员请使用系统账号登录。居民提交和查询诉求无需登录。
ui-login-username = 用户名
ui-login-password = 密码
ui-login-submit = 登录

## Home
ui-home-title = 您好，有事请找街道
ui-home-lead = 遇到环境卫生、占道经营、噪声扰民、房屋维修、供水供暖等问题，或有意见建议，都可以在这里提出。街道收到后会派给负责的单位办理，并在规定时限内答复您。
ui-home-submit = 提交诉求
ui-home-submit-text = 说明问题和地点，留下电话，我们会尽快联系您。
ui-home-track = 查询进度
ui-home-track-text = 凭诉求编号和查询码，随时查看办理情况。
ui-home-how = 办理流程
ui-home-step-1 = 提交诉求，获得诉求编号和查询码。
ui-home-step-2 = 街道受理后派给负责的科室或部门，需要时“吹哨”召集相关部门共同办理。
ui-home-step-3 = 承办人员与您联系并办理，时限按工作日计算。
ui-home-step-4 = 办结后工作人员回访，请您评价是否满意。
ui-home-hotline = 也可以拨打 12345 市民服务热线。
ui-web-resident = 网上居民

## Submit
ui-submit-title = 提交诉求
ui-submit-lead = 请说明问题和地点。带“必填”的项目需要填写。
ui-submit-kind = 诉求类型
ui-submit-kind-invalid = 请选择诉求类型
ui-submit-text = 诉求内容
ui-submit-text-hint = 发生了什么、从什么时候开始、希望怎样解决（最多 2000 字）。
ui-submit-place = 地点
ui-submit-place-hint = 在地图上点选位置，或从列表中选择社区，或填写详细地址。
ui-submit-map-hint = 点击地图选择问题所在的位置。
ui-submit-map-picked = 已选择：
ui-submit-map-approximate = 地图边界为示意，仅供定位参考。
ui-submit-map-invalid = 地图上选择的位置无效，请重新选择或从列表中选择社区
ui-submit-community = 所在社区
ui-submit-community-none = 不确定，按地址或地图定位
ui-submit-address = 详细地址
ui-submit-address-hint = 如：东直门南大街5号院。门牌号等信息对外显示时会隐藏。
ui-submit-place-required = 请在地图上点选位置、选择社区或填写地址
ui-submit-place-not-found = 没能根据地址找到所在社区，请从列表中选择社区或在地图上点选
ui-submit-phone = 联系电话
ui-submit-phone-hint = 手机号或带区号的固定电话，承办人员会通过它联系您。
ui-submit-name = 您的称呼
ui-submit-photo = 照片
ui-submit-photo-hint = 可以上传一张现场照片（不超过 10 MB）。
ui-submit-photo-type = 请选择图片文件（如 JPG、PNG）
ui-submit-photo-size = 照片不能超过 10 MB
ui-submit-photo-again = 如需上传照片，请重新选择。
ui-submit-privacy = 您的姓名、电话和地址仅用于办理本诉求；在页面上显示时会隐藏部分内容。
ui-submit-send = 提交
ui-submit-form-reused = 这份表单已经提交过不同的内容，请在下面重新填写后提交。

## Submitted
ui-submitted-title = 提交成功
ui-submitted-number = 诉求编号
ui-submitted-code = 查询码
ui-submitted-keep = 请记下诉求编号和查询码：查询办理进度时需要两者一起输入。查询码只在此显示一次，工作人员不会向您索要。
ui-submitted-my = 在“我的诉求”中查看
ui-submitted-photo = 照片已随诉求登记。
ui-submitted-next = 街道受理后会派给负责的单位，承办人员将与您联系。
ui-submitted-track = 查询进度

## Track
ui-track-title = 查询办理进度
ui-track-lead = 请输入诉求编号和提交时得到的查询码。
ui-track-number = 诉求编号
ui-track-number-hint = 如 110101-20261127-0001
ui-track-code = 查询码
ui-track-code-hint = 提交成功页面上显示的 10 位字母和数字，不区分大小写。
ui-track-submit = 查询
ui-track-not-found = 没有找到这件诉求：请核对诉求编号和查询码。
ui-track-case = 诉求 { $number }
ui-track-received = 提交时间
ui-track-place = 地点
ui-track-reporter = 诉求人
ui-track-photos = { $count } 张
ui-track-deadlines = 办理时限
ui-track-deadline-response = 联系您的时限
ui-track-deadline-resolution = 办结时限
ui-track-met = 已于 { $at } 完成
ui-track-overdue = 已超期
ui-track-result = 办理结果
ui-track-rating = 评价
ui-track-callback = 回访结果：{ $satisfaction }；问题{ $solved }
ui-track-solved-yes = 已解决
ui-track-solved-no = 未解决
ui-track-awaiting-callback = 工作人员将回访您，请届时告诉我们问题是否解决、您是否满意（满意 / 基本满意 / 不满意）。
ui-track-no-callback-yet = 办结后工作人员会回访您，请您评价。
ui-track-rate-lead = 问题已办结并经街道核查。您也可以在这里直接评价（等同回访）：
ui-track-rate-contacted = 工作人员是否联系过您？
ui-track-rate-solved = 问题是否已解决？
ui-track-rate-satisfaction = 您对办理结果是否满意？
ui-track-rate-note = 还想说的话（可不填）
ui-track-rate-yes = 是
ui-track-rate-no = 否
ui-track-rate-submit = 提交评价
ui-track-rate-thanks = 感谢您的评价，已记录。
ui-track-rate-choose = 请选择一项
ui-track-timeline = 办理经过
ui-track-another = 查询其他诉求
ui-track-ev-received = 诉求已提交
ui-track-ev-answered = 已答复：{ $answer }
ui-track-ev-dispatched = 已交由 { $assignee } 办理
ui-track-ev-accepted = 承办单位已接收
ui-track-ev-reassigning = 正在重新安排承办单位
ui-track-ev-contacted = 承办人员已与您联系
ui-track-ev-extended = 办结时限已延长至 { $due }
ui-track-ev-resolved = 已办结：{ $result }
ui-track-ev-verified = 办理结果已经现场核实
ui-track-ev-callback = 已回访，您的评价：{ $satisfaction }
ui-track-ev-closed = 已结案
ui-track-ev-reopened = 问题未解决，已重新办理
ui-track-ev-terminated = 已终止办理：{ $reason }
ui-track-ev-merged = 与相同诉求 { $number } 合并办理
ui-track-ev-whistle = 街道已“吹哨”，召集相关部门共同办理
ui-track-ev-whistle-concluded = 相关部门已共同办结
ui-track-ev-photo = 已上传照片
ui-track-status-received = 已收到您的诉求，正在安排承办单位。
ui-track-status-answered = 已答复您的咨询。
ui-track-status-dispatched = 已交给承办单位，等待接收。
ui-track-status-accepted = 承办单位已接收，将与您联系。
ui-track-status-return_requested = 正在确认承办单位。
ui-track-status-returned = 正在重新安排承办单位。
ui-track-status-contacted = 承办人员已与您联系，正在办理。
ui-track-status-resolved = 已办理完毕，正在核实结果。
ui-track-status-verified = 结果已核实，等待回访。
ui-track-status-callback_recorded = 已回访，即将结案。
ui-track-status-closed = 已结案。感谢您的参与。
ui-track-status-reopened = 问题未解决，正在重新办理。
ui-track-status-terminated = 已终止办理。
ui-track-status-merged = 已与相同诉求合并办理。

## My work
ui-my-tabs = 筛选
ui-my-tab-open = 办理中
ui-my-tab-overdue = 已超期
ui-my-tab-all = 全部
ui-my-total = 共 { $total } 件
ui-my-empty = 这里还没有诉求。
ui-my-caption = 诉求列表
ui-my-col-number = 编号
ui-my-col-status = 状态
ui-my-col-request = 诉求
ui-my-col-place = 地点
ui-my-col-assignee = 承办单位
ui-my-col-received = 受理时间
ui-my-col-due = 办结时限
ui-my-pages = 分页
ui-my-prev = 上一页
ui-my-next = 下一页
ui-my-page-of = 第 { $page } / { $pages } 页
