# chuishao — 简体中文消息目录（默认）

## 错误
error-case_not_found = 诉求不存在，或不在您的权限范围内
error-case_exists = 该诉求已存在
error-role_not_permitted = 您的角色（{ $role }）不能执行“{ $action }”
error-not_assigned_to_you = 该诉求当前未派给您所在的单位，不能执行“{ $action }”
error-invalid_state = 诉求当前状态为“{ $status }”，不能执行“{ $action }”
error-field_required = 缺少必填项：{ $field }
error-field_too_long = { $field } 过长，最多 { $max } 个字
error-field_out_of_range = { $field } 超出允许范围（{ $min } 至 { $max }）
error-field_malformed = { $field } 格式不正确，应为{ $expected }
error-field_unknown = { $field } 所指的对象不存在
error-extension_pending = 已有延期申请待审批
error-no_extension_pending = 没有待审批的延期申请
error-not_consultation = 只有咨询类诉求可以直接答复
error-resident_not_contacted = 须先联系诉求人，才能办结
error-verifier_is_resolver = 办理结果须由办结人以外的人员核查
error-merge_into_self = 诉求不能合并到自身
error-unit_outside_street = 该科室不属于诉求所在街道
error-no_reporter_contact = 该诉求没有诉求人联系方式
error-version_conflict = 诉求已被他人更新（您的版本 { $expected }，当前版本 { $actual }），请刷新后重试
error-malformed_json = 请求体不是有效的 JSON：{ $detail }
error-invalid_body = 请求体中 { $field } 不正确：{ $detail }
error-unsupported_media_type = 请求体须为 JSON（Content-Type: application/json）
error-invalid_query = 查询参数 { $field } 不正确
error-invalid_path = 地址中的 { $field } 不正确
error-unauthorized = 请先登录
error-login_failed = 用户名或密码错误
error-forbidden = 您没有权限执行此操作
error-not_found = 请求的资源不存在
error-unknown_action = 未知的操作：{ $action }
error-place_required = 请提供诉求所在的社区编码（community_code）或街道编码（street_code）
error-duplicate = 记录已存在：{ $what }
error-payload_too_large = 请求体过大
error-method_not_allowed = 不支持该请求方法
error-merge_target_closed = 合并目标诉求已“{ $status }”，不能再合并
error-bad_request = 请求格式不正确
error-internal = 服务器内部错误，请稍后重试

## 格式说明
expected-phone_number = 11位手机号或带区号的固定电话
expected-digits_6 = 6位数字
expected-digits_9 = 9位数字
expected-digits_12 = 12位数字
expected-slug = 小写字母、数字和连字符
expected-media_type = 媒体类型（如 image/jpeg）
expected-sha256_hex = 64位十六进制数
expected-rfc3339 = RFC 3339 时间（如 2026-11-28T09:00:00+08:00）
expected-date = 日期（如 2026-11-28）
expected-plain_text = 不含控制字符的文本
expected-uuid_or_number = 诉求编号或ID
expected-one_of = 以下之一：{ $values }

## 诉求状态
status-received = 已受理
status-answered = 已直接答复
status-dispatched = 已派单
status-accepted = 已签收
status-return_requested = 退单审核中
status-returned = 已退单待改派
status-contacted = 已联系诉求人
status-resolved = 已办结
status-verified = 已核查
status-callback_recorded = 已回访
status-closed = 已结案
status-reopened = 重办待派单
status-terminated = 已终止
status-merged = 已合并

## 操作
action-receive = 受理
action-answer-directly = 直接答复
action-dispatch = 派单
action-accept = 签收
action-request-return = 申请退单
action-approve-return = 批准退单
action-reject-return = 驳回退单
action-contact = 联系诉求人
action-request-extension = 申请延期
action-grant-extension = 批准延期
action-deny-extension = 驳回延期
action-resolve = 办结
action-verify = 核查通过
action-send-back = 核查退回
action-record-callback = 回访
action-close = 结案
action-reopen = 重办
action-terminate = 终止
action-merge = 合并
action-add-note = 添加备注
action-add-attachment = 添加附件
action-reveal-contact = 查看诉求人联系方式
action-tick = 时限检查

## 时间线事件
event-received = 受理诉求
event-answered_directly = 直接答复
event-dispatched = 派单
event-accepted = 签收
event-return_requested = 申请退单
event-return_approved = 批准退单
event-return_rejected = 驳回退单
event-contacted = 联系诉求人
event-extension_requested = 申请延期
event-extension_granted = 批准延期
event-extension_denied = 驳回延期
event-resolved = 办结
event-verified = 核查通过
event-verification_failed = 核查退回
event-callback_recorded = 回访
event-closed = 结案
event-reopened = 重办
event-terminated = 终止
event-merged = 合并为重复件
event-note_added = 备注
event-attachment_added = 附件
event-contact_revealed = 查看联系方式
event-deadline_warning = 时限预警
event-deadline_overdue = 超期

## 角色
role-resident = 居民
role-dispatcher = 街道指挥中心调度员
role-unit_staff = 街道科室人员
role-department_staff = 职能部门人员
role-liaison = 社区专员
role-street_leader = 街道领导
role-district_supervisor = 区接诉即办办公室
role-inspector = 纪检监察
role-system_admin = 系统管理员
role-security_admin = 安全管理员
role-audit_admin = 审计管理员
role-system = 系统

## 诉求类型
kind-consult = 咨询
kind-help = 求助
kind-complaint = 投诉
kind-report = 举报
kind-suggestion = 建议

## 来源渠道
channel-hotline = 12345热线
channel-web = 网站
channel-open311 = Open311应用
channel-liaison_visit = 社区专员走访
channel-grid_patrol = 网格巡查
channel-walk_in = 来访

## 满意度
satisfaction-satisfied = 满意
satisfaction-basically_satisfied = 基本满意
satisfaction-dissatisfied = 不满意

## 时限
deadline-response = 响应时限
deadline-resolution = 办理时限

## 日历
daykind-holiday = 法定节假日
daykind-makeup_workday = 调休上班

## 吹哨报到
action-record-whistle = 记录吹哨
event-whistle_blown = 吹哨
event-whistle_concluded = 吹哨办结
whistle_action-request = 申请吹哨
whistle_action-blow = 吹哨
whistle_action-approve = 批准吹哨
whistle_action-reject = 驳回吹哨申请
whistle_action-sign = 签收
whistle_action-report-in = 报到
whistle_action-record-action = 记录处置
whistle_action-finish = 完成
whistle_action-decline = 拒绝报到
whistle_action-excuse = 准予免报
whistle_action-escalate = 提请区级督办
whistle_action-conclude = 办结吹哨
whistle_action-rate = 评价部门
whistle_action-tick = 时限检查
whistle_status-requested = 申请中
whistle_status-rejected = 已驳回
whistle_status-active = 进行中
whistle_status-concluded = 已办结
summons_status-summoned = 待签收
summons_status-signed = 已签收
summons_status-reported_in = 已报到
summons_status-acting = 处置中
summons_status-done = 已完成
summons_status-declined = 已拒绝
summons_status-excused = 已免报
summons_status-escalated = 已提请区级督办
whistle_level-community = 社区吹哨
whistle_level-street = 街道吹哨
whistle_level-district = 区级吹哨
clock-sign = 签收时限
clock-report_in = 报到时限
clock-complete = 完成时限
report_mode-on_site = 现场报到
report_mode-meeting = 会议报到
whistle_event-requested = 申请吹哨
whistle_event-blown = 吹哨
whistle_event-approved = 批准吹哨
whistle_event-rejected = 驳回申请
whistle_event-signed = 签收
whistle_event-reported_in = 报到
whistle_event-action_recorded = 处置记录
whistle_event-finished = 完成
whistle_event-declined = 拒绝报到
whistle_event-excused = 准予免报
whistle_event-escalated = 提请区级督办
whistle_event-overdue = 超时
whistle_event-concluded = 办结
whistle_event-rated = 评价
error-whistle_not_found = 吹哨不存在，或不在您的权限范围内
error-whistle_exists = 该吹哨已存在
error-whistle_invalid_state = 吹哨当前状态为“{ $status }”，不能执行“{ $action }”
error-summons_invalid_state = 该部门当前为“{ $status }”，不能执行“{ $action }”
error-departments_outstanding = 还有 { $count } 个部门未完成或未免报，不能办结
error-already_rated = 该部门已评价
error-unknown_whistle_kind = 吹哨类型不存在：{ $kind }
expected-unique_departments = 不重复的部门
expected-deadline_spec = 时限格式（如 30m、24h、5wd）
expected-snake_case_key = 小写字母和下划线
error-case_closed = 诉求已“{ $status }”，不能再为它吹哨

## 社区专员、走访与民生保障

care_flag-living_alone = 独居老人
care_flag-elderly = 高龄
care_flag-disabled = 残疾
care_flag-low_income = 低保/低收入
care_flag-serious_illness = 重病
care_flag-unemployed = 失业
care_flag-entitled_group = 优抚对象

assistance_kind-assistive_device = 辅具适配
assistance_kind-temporary_relief = 临时救助
assistance_kind-subsistence_allowance = 低保申请
assistance_kind-meal_aid = 助餐
assistance_kind-home_care = 居家养老服务
assistance_kind-employment_aid = 就业帮扶

assistance_status-submitted = 已提交
assistance_status-under_review = 审核中
assistance_status-approved = 已批准
assistance_status-rejected = 未批准
assistance_status-delivered = 已落实
assistance_status-withdrawn = 已撤回

assistance_action-submit = 提交申请
assistance_action-start-review = 开始审核
assistance_action-approve = 批准
assistance_action-reject = 不予批准
assistance_action-deliver = 落实到位
assistance_action-withdraw = 撤回
assistance_action-add-note = 添加备注
assistance_action-tick = 时限检查

assistance_event-submitted = 提交申请
assistance_event-review_started = 开始审核
assistance_event-approved = 批准
assistance_event-rejected = 不予批准
assistance_event-delivered = 落实到位
assistance_event-withdrawn = 撤回
assistance_event-note_added = 备注
assistance_event-warned = 时限预警
assistance_event-overdue = 超时

assistance_clock-decision = 审批时限
assistance_clock-delivery = 落实时限

error-assistance_not_found = 民生保障申请不存在，或不在您的权限范围内
error-assistance_exists = 该民生保障申请已存在
error-assistance_invalid_state = 申请当前状态为“{ $status }”，不能执行“{ $action }”
error-no_assistance_office = 该街道没有民生保障办公室，无法受理申请
error-household_not_found = 住户不存在，或不在您的权限范围内
error-visit_not_found = 走访记录不存在，或不在您的权限范围内
error-liaison_not_found = 社区专员不存在，或不在您的权限范围内
error-unknown_care_flag = 没有“{ $flag }”这一关爱类别
error-idempotency_key_reused = 幂等键（Idempotency-Key）已用于另一份不同的请求
error-invalid_idempotency_key = 幂等键（Idempotency-Key）须为1至100个可见ASCII字符

## 智能派单

route-reason-unit = { $street } · { $owner } · 职责清单 { $code } { $item } · 置信度 { $confidence }
route-reason-department = { $owner } · 职责清单 { $code } { $item } · 置信度 { $confidence }
route-fallback-unclear_matter = { $owner }兜底 · 无法判断诉求类型（最高置信度 { $confidence }）
route-fallback-unknown_place = { $owner }兜底 · 职责清单 { $code } { $item } 由街道办理，但无法确定所在街道
route-fallback-no_such_unit = { $owner }兜底 · { $street }没有承办 { $code } { $item } 的科室
place-polygon = 位于{ $street }{ $community }
place-street = 位于{ $street }（不在任何社区边界内）
place-nearest = 不在社区边界内，距最近的{ $street }{ $community } { $distance } 米
place-gazetteer = 按地名“{ $name }”定位到{ $street }{ $community }
place-given = 按填写的区划定位到{ $street }{ $community }
place-unknown = 无法确定位置
place-approximate = （演示用近似边界）
place_method-polygon = 边界内
place_method-nearest = 最近社区
place_method-gazetteer = 地名匹配
place_method-given = 填写的区划
place_method-unknown = 未定位
error-invalid_geojson = 边界文件有误，未导入任何内容：{ $detail }
auto-dispatch-name = 智能派单
auto-dispatch-note = 智能派单

## 考核

rank_class-advanced = 先进
rank_class-improved = 进步
rank_class-rectify = 整改
rank_class-governance = 治理
figure-none = （未分派）
report-col-rank = 排名
report-col-code = 代码
report-col-name = 名称
report-col-received = 受理量
report-col-valid = 有效回访
report-col-response = 响应率(%)
report-col-resolution = 解决率(%)
report-col-satisfaction = 满意率(%)
report-col-composite = 综合得分(%)
report-col-previous = 上月综合(%)
report-col-class = 类别
expected-weights_sum_to_one = 三项权重之和为 1
report-sheet-streets = 街道排名
report-sheet-departments = 部门
report-sheet-items = 诉求类型
report-sheet-chart = 图表
report-title = { $month } 月度考核报告 · { $subject }（考核公式 v{ $version }）
report-total = 合计
report-chart-title = { $month } 各街道综合得分与解决率
report-chart-axis-x = 街道
report-chart-axis-y = 得分率
report-chart-empty = 本月没有街道数据，无图表。
error-theme_not_found = 该“每月一题”不存在，或不在您的权限范围内
error-theme_closed = 该“每月一题”已结束

# 高频诉求：提议每月一题的理由
proposal-reason-rising = 环比上升
proposal-reason-repeats = 重复诉求
proposal-reason-hotspot = 热点网格

# 职责清单维护
error-invalid_catalog_file = 职责清单文件第 { $line } 行有误，未导入任何内容：{ $detail }
error-catalog_file_header = 这不是职责清单文件，未导入任何内容：第一行应为 { $columns }
error-catalog_file_unreadable = 职责清单文件第 { $line } 行无法读取（须为 UTF-8 编码的 CSV，引号成对），未导入任何内容
error-catalog_duplicate_code = 职责清单文件第 { $line } 行的编码 { $code } 与前面的行重复，未导入任何内容
error-catalog_file_empty = 文件中没有任何事项，未导入任何内容
expected-duty_code = 字母、数字和连字符（如 C-055）
expected-owner = unit:单位角色 或 dept:部门编码（如 unit:city_management、dept:dc-cgzf）
expected-request_kind = 诉求类型（consult、help、complaint、report、suggestion 之一）
expected-true_false = true 或 false（是/否）
expected-not_the_owner = 主责单位以外的单位
# 照片附件
error-attachment_not_image = 只能上传图片（JPEG、PNG、WebP 或 GIF），该文件不是图片
error-attachment_too_large = 照片过大，最多 { $max }
error-attachment_not_found = 该诉求没有这个附件，或附件内容未保存
error-multipart_expected = 请以 multipart/form-data 上传文件（文件放在 file 字段）
error-malformed_multipart = 上传的表单格式不正确
expected-department_kind = 部门类别（department 职能部门 或 utility 公共服务企业）
